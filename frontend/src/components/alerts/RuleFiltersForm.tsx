import { useId, useState } from "react";
import { RULE_STATE_LABELS, SEVERITY_CHOICES } from "../../lib/alerting";
import { RULE_STATES, type RuleFilters, type RuleState, type Severity } from "../../types/alerts";
import type { MetricReading } from "../../types/monitoring";
import { FiltersForm, SearchFilter, SelectFilter, TextFilter } from "../ui/FilterFields";
import { CATEGORY_LABELS, groupByCategory } from "./MetricPicker";

interface RuleFiltersFormProps {
  filters: RuleFilters;
  /** The catalogue, for the metric filter; a text field while it is not known. */
  metrics: readonly MetricReading[] | undefined;
  onApply: (filters: RuleFilters) => void;
}

type Active = "true" | "false";

const ACTIVE_CHOICES: readonly { value: Active; label: string }[] = [
  { value: "true", label: "Active" },
  { value: "false", label: "Off" },
];
const STATE_CHOICES = RULE_STATES.map((value) => ({ value, label: RULE_STATE_LABELS[value] }));

/** Search and filters of the rule list, applied together on submit. */
export function RuleFiltersForm({ filters, metrics, onApply }: RuleFiltersFormProps) {
  const id = useId();
  const [search, setSearch] = useState(filters.search ?? "");
  const [active, setActive] = useState<Active | "">(filters.is_active === undefined ? "" : filters.is_active ? "true" : "false");
  const [severity, setSeverity] = useState<Severity | "">(filters.severity ?? "");
  const [metric, setMetric] = useState(filters.metric_name ?? "");
  const [state, setState] = useState<RuleState | "">(filters.state ?? "");
  const [label, setLabel] = useState(filters.label ?? "");

  return (
    <FiltersForm
      label="Filter the rules"
      filters={filters}
      read={() => ({
        search: search.trim() || undefined,
        is_active: active ? active === "true" : undefined,
        severity: severity || undefined,
        metric_name: metric.trim() || undefined,
        state: state || undefined,
        label: label.trim() || undefined,
      })}
      onApply={onApply}
    >
      <SearchFilter value={search} placeholder="Words in the name, description, summary, labels or expression" onChange={setSearch} />
      <SelectFilter label="Active" anyLabel="Active and off" value={active} choices={ACTIVE_CHOICES} onChange={setActive} />
      <SelectFilter label="Severity" anyLabel="Any severity" value={severity} choices={SEVERITY_CHOICES} onChange={setSeverity} />
      <div className="field">
        <label htmlFor={`${id}-metric`} className="field__label">
          Metric
        </label>
        {metrics ? (
          <select
            id={`${id}-metric`}
            className="field__input"
            value={metric}
            onChange={(event) => {
              setMetric(event.target.value);
            }}
          >
            <option value="">Any metric</option>
            {metric && !metrics.some((candidate) => candidate.name === metric) && <option value={metric}>{metric}</option>}
            {groupByCategory(metrics).map(([category, group]) => (
              <optgroup key={category} label={CATEGORY_LABELS[category] ?? category}>
                {group.map((candidate) => (
                  <option key={candidate.name} value={candidate.name}>
                    {candidate.label} ({candidate.name})
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        ) : (
          <input
            id={`${id}-metric`}
            className="field__input"
            value={metric}
            onChange={(event) => {
              setMetric(event.target.value);
            }}
          />
        )}
      </div>
      <SelectFilter label="State" anyLabel="Any state" value={state} choices={STATE_CHOICES} onChange={setState} />
      <TextFilter
        label="Label"
        value={label}
        placeholder="team:payments"
        hint="name:value, one of the rule's own labels."
        pattern="[a-z_][a-z0-9_]{0,63}:.{0,128}"
        onChange={setLabel}
      />
    </FiltersForm>
  );
}
