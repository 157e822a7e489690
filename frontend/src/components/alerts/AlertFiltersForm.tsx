import { useState, type SubmitEvent } from "react";
import { SEVERITY_CHOICES } from "../../lib/alerting";
import { fromLocalInput, toLocalInput } from "../../lib/format";
import { listSettingsOf } from "../../lib/listPages";
import { ALERT_STATUSES, type AlertFilters, type AlertStatus, type Severity } from "../../types/alerts";
import { FilterActions, SelectFilter, TimeRangeFilter } from "../ui/FilterFields";

interface AlertFiltersFormProps {
  filters: AlertFilters;
  /** Rules to choose from (by name); none when the user may not read rules. */
  rules: readonly { id: number; name: string }[];
  onApply: (filters: AlertFilters) => void;
}

const STATUS_TEXT: Record<AlertStatus, string> = { active: "Open", resolved: "Resolved" };
const STATUS_CHOICES = ALERT_STATUSES.map((value) => ({ value, label: STATUS_TEXT[value] }));

/** The alert history's filters; applied together on submit (Enter or "Apply filters"). */
export function AlertFiltersForm({ filters, rules, onApply }: AlertFiltersFormProps) {
  const [status, setStatus] = useState<AlertStatus | "">(filters.status ?? "");
  const [severity, setSeverity] = useState<Severity | "">(filters.severity ?? "");
  const [rule, setRule] = useState(filters.rule === undefined ? "" : String(filters.rule));
  const [since, setSince] = useState(toLocalInput(filters.since));
  const [until, setUntil] = useState(toLocalInput(filters.until));

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next: AlertFilters = listSettingsOf(filters);
    if (status) next.status = status;
    if (severity) next.severity = severity;
    if (rule) next.rule = Number(rule);
    const sinceIso = fromLocalInput(since);
    if (sinceIso) next.since = sinceIso;
    const untilIso = fromLocalInput(until);
    if (untilIso) next.until = untilIso;
    onApply(next);
  };

  // A rule in the address that is not in the list (deleted, or beyond the first 200) stays choosable.
  const known = rules.map((choice) => ({ value: String(choice.id), label: choice.name }));
  const ruleChoices = rule && !known.some((choice) => choice.value === rule)
    ? [...known, { value: rule, label: `Rule #${rule}` }]
    : known;

  return (
    <form className="filters" role="search" aria-label="Filter the alert history" onSubmit={onSubmit}>
      <SelectFilter label="Status" anyLabel="Open and resolved" value={status} choices={STATUS_CHOICES} onChange={setStatus} />
      <SelectFilter label="Severity" anyLabel="Any severity" value={severity} choices={SEVERITY_CHOICES} onChange={setSeverity} />
      {ruleChoices.length > 0 && (
        <SelectFilter label="Rule" anyLabel="Any rule" value={rule} choices={ruleChoices} onChange={setRule} />
      )}
      <TimeRangeFilter
        sinceLabel="Triggered from"
        untilLabel="Triggered until"
        since={since}
        until={until}
        onSinceChange={setSince}
        onUntilChange={setUntil}
      />
      <FilterActions
        onClear={() => {
          onApply(listSettingsOf(filters));
        }}
      />
    </form>
  );
}
