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

/**
 * Every metric a rule can watch (`GET /api/alerts/metrics/`): the catalogue and the custom metrics
 * that have samples, grouped by category, each with its current value. A rule's metric that is no
 * longer listed (a custom metric whose samples expired) stays choosable.
 */
export function MetricPicker({ control, value, metrics, windowMinutes, onChange }: MetricPickerProps) {
  const known = metrics.some((metric) => metric.name === value);
  return (
    <select
      {...control}
      className="field__input"
      value={value}
      onChange={(event) => {
        onChange(event.target.value);
      }}
    >
      <option value="">Choose a metric ({metrics.length} available; values over the last {windowMinutes} min)</option>
      {value && !known && <option value={value}>{value} (no recent samples)</option>}
      {groupByCategory(metrics).map(([category, group]) => (
        <optgroup key={category} label={CATEGORY_LABELS[category] ?? category}>
          {group.map((metric) => (
            <option key={metric.name} value={metric.name}>
              {optionText(metric)}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
