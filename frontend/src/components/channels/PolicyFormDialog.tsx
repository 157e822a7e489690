import { useId, useRef, useState } from "react";
import type { ApiError, FieldErrors } from "../../api/client";
import { useCreatePolicy, useUpdatePolicy } from "../../hooks/alerts/useChannels";
import type { LabelMatcher, NotificationChannel, NotificationPolicy, PolicyInput } from "../../types/alerts";
import { MatchersEditor } from "../alerts/LabelFields";
import { CheckboxField, Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { ChannelPicker } from "./ChannelPicker";
import { PolicyGroupingFields, type GroupingValues } from "./PolicyGroupingFields";

/** A number when the text reads as one; the text itself otherwise, for the server to name. */
function numberOrText(text: string): number {
  const trimmed = text.trim();
  const number = Number(trimmed);
  // The API judges what is not a number: the text goes as typed (the type says number, as the API's does).
  return trimmed !== "" && Number.isFinite(number) ? number : (trimmed as unknown as number);
}

function groupingOf(policy: NotificationPolicy | null): GroupingValues {
  return {
    group_by: [...(policy?.group_by ?? [])],
    group_wait_seconds: String(policy?.group_wait_seconds ?? 30),
    group_interval_seconds: String(policy?.group_interval_seconds ?? 300),
    repeat_interval_seconds: String(policy?.repeat_interval_seconds ?? 14400),
  };
}

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
  const [grouping, setGrouping] = useState<GroupingValues>(() => groupingOf(policy));
  const [escalateAfter, setEscalateAfter] = useState(
    policy?.escalate_after_minutes === null || policy?.escalate_after_minutes === undefined ? "" : String(policy.escalate_after_minutes),
  );
  const [escalationChannels, setEscalationChannels] = useState<number[]>([...(policy?.escalation_channels ?? [])]);
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
    const body: PolicyInput = {
      name: name.trim(),
      matchers,
      channels: chosen,
      continue: goOn,
      is_active: active,
      group_by: grouping.group_by,
      group_wait_seconds: numberOrText(grouping.group_wait_seconds),
      group_interval_seconds: numberOrText(grouping.group_interval_seconds),
      repeat_interval_seconds: numberOrText(grouping.repeat_interval_seconds),
      escalate_after_minutes: escalateAfter.trim() === "" ? null : numberOrText(escalateAfter),
      escalation_channels: escalateAfter.trim() === "" ? [] : escalationChannels,
    };
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
      <PolicyGroupingFields
        id={`${prefix}-grouping`}
        values={grouping}
        onChange={setGrouping}
        suggestions={matchers.map((matcher) => matcher.label.trim())}
        errors={errors}
      />
      <fieldset className="field form-grid__wide policy-escalation">
        <legend className="field__label">Escalation</legend>
        <Field
          id={`${prefix}-escalate-after`}
          label="Escalate after (minutes)"
          hint="An alert of this policy still open and not acknowledged this long after it opened goes, once, to the escalation channels. Blank: no escalation."
          errors={errors.escalate_after_minutes}
        >
          {(control) => (
            <input
              {...control}
              className="field__input"
              inputMode="numeric"
              value={escalateAfter}
              onChange={(event) => {
                setEscalateAfter(event.target.value);
              }}
            />
          )}
        </Field>
        {escalateAfter.trim() !== "" && (
          <ChannelPicker
            id={`${prefix}-escalation-channels`}
            legend="Escalation channels"
            hint="Where the escalation goes (at least one)."
            channels={channels}
            value={escalationChannels}
            onChange={setEscalationChannels}
            errors={Object.entries(errors).flatMap(([path, messages]) =>
              path === "escalation_channels" || path.startsWith("escalation_channels.") ? messages : [],
            )}
          />
        )}
      </fieldset>
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
