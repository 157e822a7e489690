import { useState } from "react";
import { SEVERITY_CHOICES } from "../../lib/alerting";
import { ALERT_STATUSES, type AlertFilters, type AlertStatus, type Severity } from "../../types/alerts";
import { FiltersForm, SearchFilter, SelectFilter, TextFilter, TimeRangeFilter, useTimeRangeDraft } from "../ui/FilterFields";

interface AlertFiltersFormProps {
  filters: AlertFilters;
  /** Rules to choose from (by name); none when the user may not read rules. */
  rules: readonly { id: number; name: string }[];
  onApply: (filters: AlertFilters) => void;
}

const STATUS_TEXT: Record<AlertStatus, string> = { active: "Open", resolved: "Resolved" };
const STATUS_CHOICES = ALERT_STATUSES.map((value) => ({ value, label: STATUS_TEXT[value] }));

type Acknowledged = "true" | "false";
const ACKNOWLEDGED_CHOICES: readonly { value: Acknowledged; label: string }[] = [
  { value: "true", label: "Acknowledged" },
  { value: "false", label: "Not acknowledged" },
];
const SILENCED_CHOICES: readonly { value: Acknowledged; label: string }[] = [
  { value: "true", label: "Silenced" },
  { value: "false", label: "Not silenced" },
];
const INHIBITED_CHOICES: readonly { value: Acknowledged; label: string }[] = [
  { value: "true", label: "Inhibited" },
  { value: "false", label: "Not inhibited" },
];
const FLAPPING_CHOICES: readonly { value: Acknowledged; label: string }[] = [
  { value: "true", label: "Flapping" },
  { value: "false", label: "Not flapping" },
];

function flagDraft(flag: boolean | undefined): Acknowledged | "" {
  return flag === undefined ? "" : flag ? "true" : "false";
}

function flagOf(draft: Acknowledged | ""): boolean | undefined {
  return draft ? draft === "true" : undefined;
}

/** The alert history's filters; applied together on submit (Enter or "Apply filters"). */
export function AlertFiltersForm({ filters, rules, onApply }: AlertFiltersFormProps) {
  const [search, setSearch] = useState(filters.search ?? "");
  const [status, setStatus] = useState<AlertStatus | "">(filters.status ?? "");
  const [severity, setSeverity] = useState<Severity | "">(filters.severity ?? "");
  const [rule, setRule] = useState(filters.rule === undefined ? "" : String(filters.rule));
  const range = useTimeRangeDraft(filters);
  const [label, setLabel] = useState(filters.label ?? "");
  const [acknowledged, setAcknowledged] = useState<Acknowledged | "">(flagDraft(filters.acknowledged));
  const [silenced, setSilenced] = useState<Acknowledged | "">(flagDraft(filters.silenced));
  const [inhibited, setInhibited] = useState<Acknowledged | "">(flagDraft(filters.inhibited));
  const [flapping, setFlapping] = useState<Acknowledged | "">(flagDraft(filters.flapping));

  // A rule in the address that is not in the list (deleted, or beyond the first 200) stays choosable.
  const known = rules.map((choice) => ({ value: String(choice.id), label: choice.name }));
  const ruleChoices = rule && !known.some((choice) => choice.value === rule)
    ? [...known, { value: rule, label: `Rule #${rule}` }]
    : known;

  return (
    <FiltersForm
      label="Filter the alert history"
      filters={filters}
      read={() => ({
        search: search.trim() || undefined,
        status: status || undefined,
        severity: severity || undefined,
        rule: rule ? Number(rule) : undefined,
        label: label.trim() || undefined,
        acknowledged: flagOf(acknowledged),
        silenced: flagOf(silenced),
        inhibited: flagOf(inhibited),
        flapping: flagOf(flapping),
        ...range.read(),
      })}
      onApply={onApply}
    >
      <SearchFilter
        value={search}
        placeholder="Words in the rule name, message, labels, notes or comments"
        onChange={setSearch}
      />
      <SelectFilter label="Status" anyLabel="Open and resolved" value={status} choices={STATUS_CHOICES} onChange={setStatus} />
      <SelectFilter label="Severity" anyLabel="Any severity" value={severity} choices={SEVERITY_CHOICES} onChange={setSeverity} />
      <SelectFilter
        label="Acknowledged"
        anyLabel="Acknowledged or not"
        value={acknowledged}
        choices={ACKNOWLEDGED_CHOICES}
        onChange={setAcknowledged}
      />
      <SelectFilter label="Silenced" anyLabel="Silenced or not" value={silenced} choices={SILENCED_CHOICES} onChange={setSilenced} />
      <SelectFilter label="Inhibited" anyLabel="Inhibited or not" value={inhibited} choices={INHIBITED_CHOICES} onChange={setInhibited} />
      <SelectFilter label="Flapping" anyLabel="Flapping or not" value={flapping} choices={FLAPPING_CHOICES} onChange={setFlapping} />
      {ruleChoices.length > 0 && (
        <SelectFilter label="Rule" anyLabel="Any rule" value={rule} choices={ruleChoices} onChange={setRule} />
      )}
      <TextFilter
        label="Label"
        value={label}
        placeholder="route:/api/orders/"
        hint="name:value, the rule's or the group's (team:payments)."
        pattern="[a-z_][a-z0-9_]{0,63}:.{0,128}"
        onChange={setLabel}
      />
      <TimeRangeFilter sinceLabel="Triggered from" untilLabel="Triggered until" range={range} />
    </FiltersForm>
  );
}
