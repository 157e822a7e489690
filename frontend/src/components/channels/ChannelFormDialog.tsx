import { useId, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useCreateChannel, useUpdateChannel } from "../../hooks/alerts/useChannels";
import type { ChannelKind, ChannelSetting, NotificationChannel } from "../../types/alerts";
import { CheckboxField, Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import {
  createBody,
  errorsElsewhere,
  fieldKey,
  formErrors,
  initialValues,
  secretHint,
  settingHint,
  updateBody,
  type ChannelFormValues,
} from "./channelForm";

interface SettingFieldProps {
  id: string;
  setting: ChannelSetting;
  values: ChannelFormValues;
  onChange: (values: ChannelFormValues) => void;
  errors: FieldErrors;
  /** The secret's stored state as the API answers it ("set (…ab12)", "not set"); none for a new channel. */
  secretState: string | undefined;
}

/** One setting of the kind, with the control its declared type calls for. */
function SettingField({ id, setting, values, onChange, errors, secretState }: SettingFieldProps) {
  const fieldErrors = errors[fieldKey(setting)];
  if (setting.secret) {
    const typed = values.secrets[setting.name] ?? "";
    const stored = secretState !== undefined && secretState !== "not set";
    return (
      <>
        <Field
          id={id}
          label={setting.label}
          hint={secretHint(setting, secretState)}
          errors={fieldErrors}
          required={setting.required && !stored}
        >
          {(control) => (
            <input
              {...control}
              type="password"
              className="field__input"
              autoComplete="new-password"
              spellCheck={false}
              value={typed}
              maxLength={setting.max_length}
              placeholder={stored ? secretState : setting.placeholder || undefined}
              onChange={(event) => {
                onChange({ ...values, secrets: { ...values.secrets, [setting.name]: event.target.value } });
              }}
            />
          )}
        </Field>
        {stored && !setting.required && (
          <CheckboxField
            id={`${id}-clear`}
            label={`Remove the stored ${setting.label.toLowerCase()}`}
            checked={values.clear[setting.name] === true}
            onChange={(checked) => {
              onChange({ ...values, clear: { ...values.clear, [setting.name]: checked } });
            }}
          />
        )}
      </>
    );
  }

  const value = values.settings[setting.name];
  const set = (next: string | boolean) => {
    onChange({ ...values, settings: { ...values.settings, [setting.name]: next } });
  };
  if (setting.type === "boolean") {
    return (
      <CheckboxField
        id={id}
        label={setting.label}
        checked={value === true}
        hint={settingHint(setting)}
        errors={fieldErrors}
        onChange={set}
      />
    );
  }
  const text = typeof value === "string" ? value : "";
  const onText = (event: { target: { value: string } }) => {
    set(event.target.value);
  };
  const multiline = setting.type === "text" || setting.type === "emails" || setting.type === "headers";
  return (
    <Field id={id} label={setting.label} hint={settingHint(setting)} errors={fieldErrors} required={setting.required}>
      {(control) => {
        if (setting.type === "choice") {
          return (
            <select {...control} className="field__input" value={text} onChange={onText}>
              {!setting.required && <option value="">None</option>}
              {setting.choices.map((choice) => (
                <option key={choice} value={choice}>
                  {choice}
                </option>
              ))}
            </select>
          );
        }
        if (multiline) {
          return (
            <textarea
              {...control}
              className="field__input"
              rows={setting.type === "emails" ? 2 : 3}
              value={text}
              spellCheck={setting.type === "text" ? undefined : false}
              placeholder={setting.placeholder || undefined}
              onChange={onText}
            />
          );
        }
        return (
          <input
            {...control}
            className="field__input"
            inputMode={setting.type === "integer" ? "numeric" : setting.type === "url" ? "url" : undefined}
            spellCheck={setting.type === "string" ? undefined : false}
            autoComplete="off"
            value={text}
            maxLength={setting.type === "integer" ? undefined : setting.max_length}
            placeholder={setting.placeholder || undefined}
            onChange={onText}
          />
        );
      }}
    </Field>
  );
}

interface ChannelFormDialogProps {
  kinds: readonly ChannelKind[];
  /** The channel to change; null to add one. */
  channel: NotificationChannel | null;
  onDone: (saved: NotificationChannel) => void;
  onCancel: () => void;
}

/**
 * Adds or changes a channel. Its fields are the kind's declared settings, each with its help, its
 * required mark and its server-side errors beside it; a secret is a password field that shows only
 * whether a value is stored, and left blank keeps it. A default channel (configured by the
 * environment) changes only its name and whether it is active.
 */
export function ChannelFormDialog({ kinds, channel, onDone, onCancel }: ChannelFormDialogProps) {
  const prefix = useId().replace(/:/g, "");
  const kindRef = useRef<HTMLSelectElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const startKind = channel ? kinds.find((kind) => kind.kind === channel.kind) : undefined;
  const [values, setValues] = useState<ChannelFormValues | null>(startKind ? initialValues(startKind, channel) : null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const create = useCreateChannel();
  const update = useUpdateChannel();
  const busy = create.isPending || update.isPending;
  const kind = kinds.find((candidate) => candidate.kind === values?.kind);
  const builtin = channel !== null && channel.builtin !== "";

  const refused = (error: ApiError) => {
    setErrors(error.fieldErrors);
    const elsewhere = errorsElsewhere(kind, error.fieldErrors);
    const hasFields = Object.keys(error.fieldErrors).length > 0;
    setFailure(
      [hasFields ? (elsewhere.length > 0 ? null : "Not saved: check the fields.") : `Not saved: ${error.message}`, ...elsewhere]
        .filter(Boolean)
        .join(" "),
    );
  };

  const submit = () => {
    if (!values || !kind) {
      setErrors({ kind: ["Choose a kind."] });
      setFailure("Not saved: check the fields.");
      return;
    }
    const own = formErrors(kind, values);
    if (Object.keys(own).length > 0) {
      setErrors(own);
      setFailure("Not saved: check the fields.");
      return;
    }
    setFailure(null);
    if (channel) {
      update.mutate({ id: channel.id, patch: updateBody(kind, values, builtin) }, { onSuccess: onDone, onError: refused });
    } else {
      create.mutate(createBody(kind, values), { onSuccess: onDone, onError: refused });
    }
  };

  const chooseKind = (name: string) => {
    const chosen = kinds.find((candidate) => candidate.kind === name);
    setErrors({});
    setFailure(null);
    setValues(chosen ? { ...initialValues(chosen, null), name: values?.name ?? "" } : null);
  };

  return (
    <FormDialog
      title={channel ? `Edit ${channel.name}` : "Add a channel"}
      submitLabel={channel ? "Save channel" : "Add channel"}
      busyLabel="Saving…"
      busy={busy}
      initialFocus={channel ? nameRef : kindRef}
      error={failure}
      onSubmit={submit}
      onCancel={onCancel}
      wide
    >
      {!channel && (
        <Field id={`${prefix}-kind`} label="Kind" hint={kind?.description} errors={errors.kind} required>
          {(control) => (
            <select
              {...control}
              ref={kindRef}
              className="field__input"
              value={values?.kind ?? ""}
              onChange={(event) => {
                chooseKind(event.target.value);
              }}
            >
              <option value="">Choose…</option>
              {kinds.map((candidate) => (
                <option key={candidate.kind} value={candidate.kind}>
                  {candidate.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {values && kind && (
        <>
          <Field id={`${prefix}-name`} label="Name" hint="How rules, policies and deliveries name it." errors={errors.name} required>
            {(control) => (
              <input
                {...control}
                ref={nameRef}
                className="field__input"
                autoComplete="off"
                maxLength={100}
                value={values.name}
                onChange={(event) => {
                  setValues({ ...values, name: event.target.value });
                }}
              />
            )}
          </Field>
          {builtin ? (
            <p className="muted">
              The environment's default {kind.label} channel: its settings come from{" "}
              {typeof channel.settings?.configured_by === "string" ? channel.settings.configured_by : "the server's environment"}.
            </p>
          ) : (
            kind.settings.map((setting) => (
              <SettingField
                key={setting.name}
                id={`${prefix}-${setting.secret ? "secrets" : "settings"}-${setting.name}`}
                setting={setting}
                values={values}
                onChange={setValues}
                errors={errors}
                secretState={channel ? (channel.secrets?.[setting.name] ?? "not set") : undefined}
              />
            ))
          )}
          <CheckboxField
            id={`${prefix}-is_active`}
            label="Active"
            hint="Off: nothing is sent through it; its deliveries are recorded as skipped."
            checked={values.is_active}
            errors={errors.is_active}
            onChange={(checked) => {
              setValues({ ...values, is_active: checked });
            }}
          />
        </>
      )}
    </FormDialog>
  );
}
