import { useId, useState, type SubmitEvent } from "react";
import { RULE_STATE_LABELS, SEVERITY_LABELS } from "../../lib/alerting";
import { RULE_STATES, SEVERITIES, type RuleFilters, type RuleState, type Severity } from "../../types/alerts";
import type { MetricReading } from "../../types/monitoring";
import { CATEGORY_LABELS, groupByCategory } from "./MetricPicker";

interface RuleFiltersFormProps {
  filters: RuleFilters;
  /** The catalogue, for the metric filter; a text field while it is not known. */
  metrics: readonly MetricReading[] | undefined;
  onApply: (filters: RuleFilters) => void;
}

type Active = "" | "true" | "false";

/** Search and filters of the rule list, applied together on submit. */
export function RuleFiltersForm({ filters, metrics, onApply }: RuleFiltersFormProps) {
  const id = useId();
  const [search, setSearch] = useState(filters.search ?? "");
  const [active, setActive] = useState<Active>(filters.is_active === undefined ? "" : filters.is_active ? "true" : "false");
  const [severity, setSeverity] = useState<Severity | "">(filters.severity ?? "");
  const [metric, setMetric] = useState(filters.metric_name ?? "");
  const [state, setState] = useState<RuleState | "">(filters.state ?? "");

  const kept = (): RuleFilters => {
    const next: RuleFilters = {};
    if (filters.ordering) next.ordering = filters.ordering;
    if (filters.page_size) next.page_size = filters.page_size;
    return next;
  };

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = kept();
    if (search.trim()) next.search = search.trim();
    if (active) next.is_active = active === "true";
    if (severity) next.severity = severity;
    if (metric.trim()) next.metric_name = metric.trim();
    if (state) next.state = state;
    onApply(next);
  };

  return (
    <form className="filters" role="search" aria-label="Filter the rules" onSubmit={onSubmit}>
      <div className="field filters__search">
        <label htmlFor={`${id}-search`} className="field__label">
          Search
        </label>
        <input
          id={`${id}-search`}
          type="search"
          className="field__input"
          value={search}
          placeholder="Words in the name or description"
          onChange={(event) => {
            setSearch(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-active`} className="field__label">
          Active
        </label>
        <select
          id={`${id}-active`}
          className="field__input"
          value={active}
          onChange={(event) => {
            const value = event.target.value;
            setActive(value === "true" || value === "false" ? value : "");
          }}
        >
          <option value="">Active and off</option>
          <option value="true">Active</option>
          <option value="false">Off</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-severity`} className="field__label">
          Severity
        </label>
        <select
          id={`${id}-severity`}
          className="field__input"
          value={severity}
          onChange={(event) => {
            setSeverity(SEVERITIES.find((choice) => choice === event.target.value) ?? "");
          }}
        >
          <option value="">Any severity</option>
          {SEVERITIES.map((value) => (
            <option key={value} value={value}>
              {SEVERITY_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
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
      <div className="field">
        <label htmlFor={`${id}-state`} className="field__label">
          State
        </label>
        <select
          id={`${id}-state`}
          className="field__input"
          value={state}
          onChange={(event) => {
            setState(RULE_STATES.find((choice) => choice === event.target.value) ?? "");
          }}
        >
          <option value="">Any state</option>
          {RULE_STATES.map((value) => (
            <option key={value} value={value}>
              {RULE_STATE_LABELS[value]}
            </option>
          ))}
        </select>
      </div>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Apply filters
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            onApply(kept());
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
