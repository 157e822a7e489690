import { useState } from "react";
import { formatMaybe } from "../../lib/alerting";
import type { MetricReading } from "../../types/monitoring";
import type { ControlProps } from "../ui/Field";

export const CATEGORY_LABELS: Record<string, string> = {
  system: "System",
  api: "API",
  database: "Database",
  errors: "Errors",
  ai: "AI services",
  business: "Business",
  services: "Cache and services",
  custom: "Custom (pushed by other systems)",
};

interface MetricPickerProps {
  control: ControlProps;
  value: string;
  metrics: readonly MetricReading[];
  /** Minutes the current values are over. */
  windowMinutes: number;
  onChange: (name: string) => void;
}

/** Metrics grouped by category, in the catalogue's order. */
export function groupByCategory(metrics: readonly MetricReading[]): [string, MetricReading[]][] {
  const groups = new Map<string, MetricReading[]>();
  for (const metric of metrics) {
    groups.set(metric.category, [...(groups.get(metric.category) ?? []), metric]);
  }
  return [...groups.entries()];
}

function optionText(metric: MetricReading): string {
  const now = metric.no_data ? "no data now" : `now ${formatMaybe(metric.value, metric.unit)}`;
  return `${metric.label} (${metric.name}) · ${now}`;
}

/** The choice that opens the name field: no metric name can hold a space. */
const ANOTHER = "another metric";

/**
 * Every metric a rule can watch (`GET /api/alerts/metrics/`): the catalogue and the custom metrics
 * that have samples, grouped by category, each with its current value; and any other name, typed,
 * for a custom metric whose first sample is still to come (a rule may be defined ahead of its data).
 * A rule's metric that is not listed (no samples yet, or they expired) shows in that name field.
 */
export function MetricPicker({ control, value, metrics, windowMinutes, onChange }: MetricPickerProps) {
  const known = metrics.some((metric) => metric.name === value);
  const [typing, setTyping] = useState(value !== "" && !known);
  const other = typing || (value !== "" && !known);
  const nameId = `${control.id}-name`;
  return (
    <>
      <select
        {...control}
        className="field__input"
        value={other ? ANOTHER : value}
        onChange={(event) => {
          const chosen = event.target.value;
          setTyping(chosen === ANOTHER);
          if (chosen !== ANOTHER) onChange(chosen);
          else if (known) onChange("");
        }}
      >
        <option value="">Choose a metric ({metrics.length} available; values over the last {windowMinutes} min)</option>
        {groupByCategory(metrics).map(([category, group]) => (
          <optgroup key={category} label={CATEGORY_LABELS[category] ?? category}>
            {group.map((metric) => (
              <option key={metric.name} value={metric.name}>
                {optionText(metric)}
              </option>
            ))}
          </optgroup>
        ))}
        <option value={ANOTHER}>Another metric, by name (no samples yet)…</option>
      </select>
      {other && (
        <div className="field field--nested">
          <label htmlFor={nameId} className="field__label">
            Metric name
          </label>
          <input
            id={nameId}
            className="field__input"
            value={value}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={control["aria-invalid"]}
            aria-describedby={control["aria-describedby"]}
            onChange={(event) => {
              onChange(event.target.value.trim());
            }}
          />
        </div>
      )}
    </>
  );
}
