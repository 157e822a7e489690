/**
 * How alerting's codes read on screen wherever they show (both areas and components/ui): conditions,
 * severities, states, statuses, thresholds. What only the alerts area writes is in
 * components/alerts/ruleText.ts.
 */
import { SEVERITIES, type AlertStatus, type Condition, type RuleState, type Severity } from "../types/alerts";
import { formatValue } from "./format";

/**
 * The product document's symbols, which the API accepts as conditions too and the Slack and email
 * messages use: the dashboard writes the same, so one alert never reads two ways.
 */
export const CONDITION_SYMBOLS: Record<Condition, string> = {
  gt: ">",
  gte: ">=",
  lt: "<",
  lte: "<=",
  eq: "=",
  ne: "!=",
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
};

/** The severities as the choices of a select, most severe first. */
export const SEVERITY_CHOICES = SEVERITIES.map((value) => ({ value, label: SEVERITY_LABELS[value] }));

export const RULE_STATE_LABELS: Record<RuleState, string> = {
  ok: "OK",
  pending: "Pending",
  firing: "Firing",
  suppressed: "Suppressed",
  no_data: "No data",
  error: "Error",
};

/** How bad a state is, as the engine ranks them (a grouped rule shows its worst group's state). */
export const STATE_RANK: Record<RuleState, number> = {
  ok: 0,
  no_data: 1,
  pending: 2,
  suppressed: 3,
  firing: 4,
  error: 5,
};

/** Groups worst state first, then the larger value first (as the engine lists them). */
export function worstFirst<G extends { state: RuleState; value: number | null }>(groups: readonly G[]): G[] {
  const byValue = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : b - a);
  return [...groups].sort((a, b) => STATE_RANK[b.state] - STATE_RANK[a.state] || byValue(a.value, b.value));
}

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = {
  active: "Open",
  resolved: "Resolved",
};

/** "> 80%", "<= 3 workers": a threshold with its condition and unit. */
export function formatThreshold(condition: Condition, threshold: number, unit: string): string {
  return `${CONDITION_SYMBOLS[condition]} ${formatValue(threshold, unit)}`;
}

/** A value with its unit, or "no data" for null. */
export function formatMaybe(value: number | null, unit: string): string {
  return value === null ? "no data" : formatValue(value, unit);
}

/** The unit of a metric from the catalogue's list, "" when unknown (a custom metric). */
export function unitOf(metrics: readonly { name: string; unit: string }[] | undefined, name: string): string {
  return metrics?.find((metric) => metric.name === name)?.unit ?? "";
}
