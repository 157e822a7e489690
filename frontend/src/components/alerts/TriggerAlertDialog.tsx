import { useId, useRef, useState } from "react";
import { Link } from "react-router";
import type { ApiError } from "../../api/client";
import { useTriggerAlert } from "../../hooks/alerts/useAlerts";
import { useRules } from "../../hooks/alerts/useRules";
import { alertDetailPath } from "../../routes/paths";
import type { AlertDetail } from "../../types/alerts";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { TextAreaField } from "../ui/TextAreaField";

interface TriggerAlertDialogProps {
  /** The rule to fire; without it the dialog asks which. */
  rule?: { id: number; name: string } | undefined;
  onTriggered: (alert: AlertDetail) => void;
  onCancel: () => void;
}

const RULE_CHOICES = { ordering: "name", page_size: 200 } as const;

/** The open alert's id from a trigger's 409 (`{"detail": ..., "alert_id": 5}`). */
export function openAlertIdOf(error: ApiError): number | null {
  const payload = error.payload;
  if (typeof payload === "object" && payload !== null && "alert_id" in payload && typeof payload.alert_id === "number") {
    return payload.alert_id;
  }
  return null;
}

function TriggerFailure({ error }: { error: ApiError }) {
  if (error.status === 409) {
    const alertId = openAlertIdOf(error);
    return (
      <p className="notice notice--error">
        {error.message}{" "}
        {alertId !== null && <Link to={alertDetailPath(alertId)}>Open alert #{alertId}</Link>}
      </p>
    );
  }
  if (error.status === 429 && error.retryAfterSeconds !== null) {
    return (
      <p className="notice notice--error">
        Too many test sends and triggers: try again in {error.retryAfterSeconds} s.
      </p>
    );
  }
  if (Object.keys(error.fieldErrors).length > 0) return null; // shown beside the fields
  return <p className="notice notice--error">Could not trigger the alert: {error.message}</p>;
}

/** Fire a rule's alert now, by hand, with a message (`POST /api/alerts/trigger/`). */
export function TriggerAlertDialog({ rule, onTriggered, onCancel }: TriggerAlertDialogProps) {
  const id = useId();
  const ruleRef = useRef<HTMLSelectElement>(null);
  const messageRef = useRef<HTMLTextAreaElement>(null);
  const rules = useRules(RULE_CHOICES, { enabled: rule === undefined });
  const trigger = useTriggerAlert();
  const [ruleId, setRuleId] = useState<number | "">(rule?.id ?? "");
  const [message, setMessage] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const fieldErrors = trigger.error?.fieldErrors ?? {};

  const submit = () => {
    if (ruleId === "") {
      setLocalError("Choose the rule whose alert to fire.");
      return;
    }
    setLocalError(null);
    trigger.mutate({ rule_id: ruleId, message: message.trim() }, { onSuccess: onTriggered });
  };

  const ruleErrors = [...(localError ? [localError] : []), ...(fieldErrors.rule_id ?? [])];
  return (
    <FormDialog
      title={rule ? `Trigger “${rule.name}” by hand?` : "Trigger an alert by hand"}
      description={
        <p>
          The alert opens now, marked as triggered by you, and the rule's channels are told. It stays open until someone
          resolves it.
        </p>
      }
      submitLabel="Trigger alert"
      busyLabel="Triggering…"
      busy={trigger.isPending}
      initialFocus={rule ? messageRef : ruleRef}
      error={trigger.error ? <TriggerFailure error={trigger.error} /> : null}
      onSubmit={submit}
      onCancel={onCancel}
    >
      {!rule && (
        <Field id={`${id}-rule`} label="Rule" errors={ruleErrors}>
          {(control) => (
            <select
              {...control}
              ref={ruleRef}
              className="field__input"
              value={ruleId}
              onChange={(event) => {
                setRuleId(event.target.value === "" ? "" : Number(event.target.value));
              }}
            >
              <option value="">{rules.isPending ? "Loading the rules…" : "Choose a rule"}</option>
              {rules.data?.results.map((choice) => (
                <option key={choice.id} value={choice.id}>
                  {choice.name}
                  {choice.open_alert_id !== null ? " (firing)" : ""}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {rules.isError && <p className="field__error">Could not load the rules: {rules.error.message}</p>}
      <TextAreaField
        id={`${id}-message`}
        label="Message"
        hint="Optional: why, for the people notified. Without one it says who triggered it."
        errors={fieldErrors.message}
        ref={messageRef}
        rows={3}
        maxLength={2000}
        value={message}
        onChange={setMessage}
      />
    </FormDialog>
  );
}
