/** How alerting's codes read on screen: conditions, severities, states, actions, durations. */
import { SEVERITIES, type AlertRule, type AlertStatus, type Condition, type EngineAction, type RuleState, type Severity } from "../types/alerts";
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

export const CONDITION_WORDS: Record<Condition, string> = {
  gt: "above",
  gte: "at or above",
  lt: "below",
  lte: "at or below",
  eq: "equal to",
  ne: "not equal to",
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
  firing: "Firing",
  suppressed: "Suppressed",
  no_data: "No data",
  error: "Error",
};

/**
 * Why a rule stands where it does, in a sentence, or "": the engine's reason (what limit holds a
 * suppressed rule back and until when, why there is no data), else the error of a rule in error.
 * A suppressed rule is never left without one: it is the state that looks most like a mistake.
 */
export function ruleStateNote(rule: Pick<AlertRule, "state" | "state_reason" | "last_error">): string {
  if (rule.state_reason) return rule.state_reason;
  if (rule.state === "error") return rule.last_error;
  if (rule.state === "suppressed") return "The condition holds, but a limit holds a new alert back.";
  return "";
}

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = {
  active: "Open",
  resolved: "Resolved",
};

/** What the engine would do, in a sentence. */
export const ACTION_TEXT: Record<EngineAction, string> = {
  fire: "Would fire: open an alert and notify its channels.",
  remind: "Still firing: a reminder is due.",
  resolve: "Back to normal: the open alert would be resolved.",
  update: "Still firing: the open alert stays open (no reminder due).",
  none: "Would do nothing.",
  suppressed: "The condition holds, but a limit holds the alert back.",
};

/** "> 80%", "<= 3 workers": a threshold with its condition and unit. */
export function formatThreshold(condition: Condition, threshold: number, unit: string): string {
  return `${CONDITION_SYMBOLS[condition]} ${formatValue(threshold, unit)}`;
}

/** A value with its unit, or "no data" for null. */
export function formatMaybe(value: number | null, unit: string): string {
  return value === null ? "no data" : formatValue(value, unit);
}

/** "45 s", "4 min 10 s", "2 h", "3 d 4 h": a duration in its largest unit and the next one. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const amounts = [
    { amount: Math.floor(seconds / 86_400), name: "d" },
    { amount: Math.floor(seconds / 3600) % 24, name: "h" },
    { amount: Math.floor(seconds / 60) % 60, name: "min" },
    { amount: seconds % 60, name: "s" },
  ];
  const first = amounts.findIndex((part) => part.amount > 0);
  if (first === -1) return "0 s";
  return amounts
    .slice(first, first + 2)
    .filter((part) => part.amount > 0)
    .map((part) => `${part.amount} ${part.name}`)
    .join(" ");
}

/** The unit of a metric from the catalogue's list, "" when unknown (a custom metric). */
export function unitOf(metrics: readonly { name: string; unit: string }[] | undefined, name: string): string {
  return metrics?.find((metric) => metric.name === name)?.unit ?? "";
}
