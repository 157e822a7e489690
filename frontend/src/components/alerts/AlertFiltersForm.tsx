import { useId, useState, type SubmitEvent } from "react";
import { SEVERITY_LABELS } from "../../lib/alerting";
import { ALERT_STATUSES, SEVERITIES, type AlertFilters, type AlertStatus, type Severity } from "../../types/alerts";
import { fromLocalInput, toLocalInput } from "../monitoring/ErrorFiltersForm";

interface AlertFiltersFormProps {
  filters: AlertFilters;
  /** Rules to choose from (by name); none when the user may not read rules. */
  rules: readonly { id: number; name: string }[];
  onApply: (filters: AlertFilters) => void;
}

const STATUS_TEXT: Record<AlertStatus, string> = { active: "Open", resolved: "Resolved" };

/** The alert history's filters; applied together on submit (Enter or "Apply filters"). */
export function AlertFiltersForm({ filters, rules, onApply }: AlertFiltersFormProps) {
  const id = useId();
  const [status, setStatus] = useState<AlertStatus | "">(filters.status ?? "");
  const [severity, setSeverity] = useState<Severity | "">(filters.severity ?? "");
  const [rule, setRule] = useState(filters.rule === undefined ? "" : String(filters.rule));
  const [since, setSince] = useState(toLocalInput(filters.since));
  const [until, setUntil] = useState(toLocalInput(filters.until));

  const kept = (): AlertFilters => {
    const next: AlertFilters = {};
    if (filters.ordering) next.ordering = filters.ordering;
    if (filters.page_size) next.page_size = filters.page_size;
    return next;
  };

  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = kept();
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
  const choices = rule && !rules.some((choice) => String(choice.id) === rule)
    ? [...rules, { id: Number(rule), name: `Rule #${rule}` }]
    : rules;

  return (
    <form className="filters" role="search" aria-label="Filter the alert history" onSubmit={onSubmit}>
      <div className="field">
        <label htmlFor={`${id}-status`} className="field__label">
          Status
        </label>
        <select
          id={`${id}-status`}
          className="field__input"
          value={status}
          onChange={(event) => {
            const value = event.target.value;
            setStatus(value === "active" || value === "resolved" ? value : "");
          }}
        >
          <option value="">Open and resolved</option>
          {ALERT_STATUSES.map((value) => (
            <option key={value} value={value}>
              {STATUS_TEXT[value]}
            </option>
          ))}
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
            const value = SEVERITIES.find((choice) => choice === event.target.value);
            setSeverity(value ?? "");
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
      {choices.length > 0 && (
        <div className="field">
          <label htmlFor={`${id}-rule`} className="field__label">
            Rule
          </label>
          <select
            id={`${id}-rule`}
            className="field__input"
            value={rule}
            onChange={(event) => {
              setRule(event.target.value);
            }}
          >
            <option value="">Any rule</option>
            {choices.map((choice) => (
              <option key={choice.id} value={choice.id}>
                {choice.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-since`} className="field__label">
          Triggered from
        </label>
        <input
          id={`${id}-since`}
          type="datetime-local"
          className="field__input"
          value={since}
          max={until || undefined}
          onChange={(event) => {
            setSince(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-until`} className="field__label">
          Triggered until
        </label>
        <input
          id={`${id}-until`}
          type="datetime-local"
          className="field__input"
          value={until}
          min={since || undefined}
          onChange={(event) => {
            setUntil(event.target.value);
          }}
        />
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
