import { useId, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useCreatePolicy, useUpdatePolicy } from "../../hooks/alerts/useChannels";
import type { LabelMatcher, NotificationChannel, NotificationPolicy } from "../../types/alerts";
import { MatchersEditor } from "../alerts/LabelFields";
import { CheckboxField, Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { ChannelPicker } from "./ChannelPicker";

/** What a policy's matchers may name besides the alert's own labels. */
export const POLICY_MATCHER_HINT =
  "All must hold, over the alert's labels and its severity, category, metric and rule (the rule's name); regexes match the whole value. None: every alert.";

interface PolicyFormDialogProps {
  /** The policy to change; null to add one (at the end of the order). */
  policy: NotificationPolicy | null;
  channels: readonly NotificationChannel[];
  onDone: (saved: NotificationPolicy) => void;
  onCancel: () => void;
}

export function PolicyFormDialog({ policy, channels, onDone, onCancel }: PolicyFormDialogProps) {
  const prefix = useId().replace(/:/g, "");
  const nameRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState(policy?.name ?? "");
  const [matchers, setMatchers] = useState<LabelMatcher[]>(policy?.matchers?.map((matcher) => ({ ...matcher })) ?? []);
  const [chosen, setChosen] = useState<number[]>(policy ? [...policy.channels] : []);
  const [goOn, setGoOn] = useState(policy?.continue ?? false);
  const [active, setActive] = useState(policy?.is_active ?? true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const create = useCreatePolicy();
  const update = useUpdatePolicy();

  const refused = (error: ApiError) => {
    setErrors(error.fieldErrors);
    const hasFields = Object.keys(error.fieldErrors).length > 0;
    setFailure(hasFields ? ["Not saved: check the fields.", ...error.nonFieldErrors].join(" ") : `Not saved: ${error.message}`);
  };

  const submit = () => {
    setFailure(null);
    const body = { name: name.trim(), matchers, channels: chosen, continue: goOn, is_active: active };
    if (policy) update.mutate({ id: policy.id, patch: body }, { onSuccess: onDone, onError: refused });
    else create.mutate(body, { onSuccess: onDone, onError: refused });
  };

  return (
    <FormDialog
      title={policy ? `Edit policy ${policy.name}` : "Add a policy"}
      submitLabel={policy ? "Save policy" : "Add policy"}
      busyLabel="Saving…"
      busy={create.isPending || update.isPending}
      initialFocus={nameRef}
      error={failure}
      onSubmit={submit}
      onCancel={onCancel}
      wide
    >
      <Field id={`${prefix}-name`} label="Name" errors={errors.name} required>
        {(control) => (
          <input
            {...control}
            ref={nameRef}
            className="field__input"
            autoComplete="off"
            maxLength={100}
            value={name}
            onChange={(event) => {
              setName(event.target.value);
            }}
          />
        )}
      </Field>
      <MatchersEditor
        id={`${prefix}-matchers`}
        name="matchers"
        matchers={matchers}
        onChange={setMatchers}
        known={{ severity: ["critical", "high", "medium", "low"] }}
        truncated={[]}
        errors={errors}
        hint={POLICY_MATCHER_HINT}
      />
      <ChannelPicker
        id={`${prefix}-channels`}
        legend="Channels"
        hint="Where matching alerts go, each to its own target."
        channels={channels}
        value={chosen}
        onChange={setChosen}
        errors={Object.entries(errors).flatMap(([path, messages]) => (path === "channels" || path.startsWith("channels.") ? messages : []))}
      />
      <CheckboxField
        id={`${prefix}-continue`}
        label="Continue"
        hint="After a match, go on to the next policies too. Off: a match ends the routing here."
        checked={goOn}
        errors={errors.continue}
        onChange={setGoOn}
      />
      <CheckboxField id={`${prefix}-active`} label="Active" checked={active} errors={errors.is_active} onChange={setActive} />
    </FormDialog>
  );
}
