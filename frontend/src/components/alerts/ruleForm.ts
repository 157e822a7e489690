/** The rule form's values: what a person types, and the body sent to the API. */
import type { FieldErrors } from "../../api/client";
import type { AlertRule, Condition, LabelMatcher, RuleInputBody, RuleKind, Severity } from "../../types/alerts";
import type { Aggregation } from "../../types/monitoring";

/** One of the rule's own labels, as a row of the form (a name may be half typed, or typed twice). */
export interface LabelRow {
  name: string;
  value: string;
}

export interface RuleFormValues {
  name: string;
  description: string;
  /** metric: a metric of this system; promql: `expr` evaluated by the data source. */
  kind: RuleKind;
  expr: string;
  /** The data source's id as the select holds it; "" for none. */
  data_source: string;
  metric_name: string;
  condition: Condition;
  threshold_value: string;
  time_window_minutes: string;
  aggregation: Aggregation | "";
  severity: Severity;
  slack_enabled: boolean;
  slack_channel: string;
  email_enabled: boolean;
  /** Addresses separated by commas, as typed. */
  email_recipients: string;
  cooldown_minutes: string;
  auto_resolve: boolean;
  notify_on_resolve: boolean;
  /** Blank for none. */
  resolve_threshold: string;
  alert_on_no_data: boolean;
  max_alerts_per_hour: string;
  is_active: boolean;
  label_matchers: LabelMatcher[];
  group_by: string[];
  max_series_per_rule: string;
  /** Pending period in minutes. */
  for_minutes: string;
  labels: LabelRow[];
  runbook_url: string;
  summary: string;
  /** Channels the alerts go to besides Slack and email (ids). */
  channels: number[];
  /** Opens and resolves within the flap window that make the rule flapping; 0: never. */
  flap_threshold: string;
  flap_window_minutes: string;
}

/** A new rule's values: the model's defaults (backend alerts/models.py). */
export const NEW_RULE: RuleFormValues = {
  name: "",
  description: "",
  kind: "metric",
  expr: "",
  data_source: "",
  metric_name: "",
  condition: "gt",
  threshold_value: "",
  time_window_minutes: "5",
  aggregation: "",
  severity: "medium",
  slack_enabled: false,
  slack_channel: "",
  email_enabled: false,
  email_recipients: "",
  cooldown_minutes: "60",
  auto_resolve: true,
  notify_on_resolve: true,
  resolve_threshold: "",
  alert_on_no_data: false,
  max_alerts_per_hour: "10",
  is_active: true,
  label_matchers: [],
  group_by: [],
  max_series_per_rule: "100",
  for_minutes: "0",
  labels: [],
  runbook_url: "",
  summary: "",
  channels: [],
  flap_threshold: "6",
  flap_window_minutes: "30",
};

export function valuesOf(rule: AlertRule): RuleFormValues {
  return {
    name: rule.name,
    description: rule.description,
    kind: rule.kind,
    expr: rule.expr,
    data_source: rule.data_source === null ? "" : String(rule.data_source),
    metric_name: rule.metric_name,
    condition: rule.condition,
    threshold_value: String(rule.threshold_value),
    time_window_minutes: String(rule.time_window_minutes),
    aggregation: rule.aggregation,
    severity: rule.severity,
    slack_enabled: rule.slack_enabled,
    slack_channel: rule.slack_channel,
    email_enabled: rule.email_enabled,
    email_recipients: rule.email_recipients.join(", "),
    cooldown_minutes: String(rule.cooldown_minutes),
    auto_resolve: rule.auto_resolve,
    notify_on_resolve: rule.notify_on_resolve,
    resolve_threshold: rule.resolve_threshold === null ? "" : String(rule.resolve_threshold),
    alert_on_no_data: rule.alert_on_no_data,
    max_alerts_per_hour: String(rule.max_alerts_per_hour),
    is_active: rule.is_active,
    label_matchers: rule.label_matchers.map((matcher) => ({ ...matcher })),
    group_by: [...rule.group_by],
    max_series_per_rule: String(rule.max_series_per_rule),
    for_minutes: String(rule.for_minutes),
    labels: Object.entries(rule.labels).map(([name, value]) => ({ name, value })),
    runbook_url: rule.runbook_url,
    summary: rule.summary,
    channels: [...rule.channels],
    flap_threshold: String(rule.flap_threshold),
    flap_window_minutes: String(rule.flap_window_minutes),
  };
}

/** The rule's labels as the API takes them; a row left blank on both sides is no label. */
function labelsOf(rows: readonly LabelRow[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (name === "" && row.value === "") continue;
    labels[name] = row.value;
  }
  return labels;
}

/**
 * What the form itself must refuse before anything is sent: what JSON cannot carry (a label name on
 * two rows would keep only one of them). Everything else is the server's to judge.
 */
export function formErrors(values: RuleFormValues): FieldErrors {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const row of values.labels) {
    const name = row.name.trim();
    if (name === "" && row.value === "") continue;
    if (seen.has(name)) twice.add(name);
    seen.add(name);
  }
  if (twice.size === 0) return {};
  const names = [...twice].map((name) => (name ? `“${name}”` : "a blank name"));
  return { labels: [`Each label name once: ${names.join(", ")} ${twice.size === 1 ? "is" : "are"} set on more than one row.`] };
}

/** A number when the text reads as one; the text itself otherwise, for the server to name. */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  const number = Number(trimmed);
  return trimmed !== "" && Number.isFinite(number) ? number : trimmed;
}

export function bodyOf(values: RuleFormValues): RuleInputBody {
  return {
    name: values.name.trim(),
    description: values.description.trim(),
    kind: values.kind,
    expr: values.kind === "promql" ? values.expr : "",
    data_source: values.kind === "promql" && values.data_source !== "" ? Number(values.data_source) : null,
    ...(values.kind === "metric" ? { metric_name: values.metric_name } : {}),
    condition: values.condition,
    threshold_value: numberOrText(values.threshold_value),
    time_window_minutes: numberOrText(values.time_window_minutes),
    aggregation: values.aggregation,
    severity: values.severity,
    slack_enabled: values.slack_enabled,
    slack_channel: values.slack_channel.trim(),
    email_enabled: values.email_enabled,
    email_recipients: values.email_recipients.trim(),
    cooldown_minutes: numberOrText(values.cooldown_minutes),
    auto_resolve: values.auto_resolve,
    notify_on_resolve: values.notify_on_resolve,
    resolve_threshold: values.resolve_threshold.trim() === "" ? null : numberOrText(values.resolve_threshold),
    alert_on_no_data: values.alert_on_no_data,
    max_alerts_per_hour: numberOrText(values.max_alerts_per_hour),
    is_active: values.is_active,
    label_matchers: values.label_matchers,
    group_by: values.group_by,
    max_series_per_rule: numberOrText(values.max_series_per_rule),
    for_minutes: numberOrText(values.for_minutes),
    labels: labelsOf(values.labels),
    runbook_url: values.runbook_url.trim(),
    summary: values.summary,
    channels: values.channels,
    flap_threshold: numberOrText(values.flap_threshold),
    flap_window_minutes: numberOrText(values.flap_window_minutes),
  };
}

/** Where each of the API's field names is in the form, for the error summary. */
export const FIELD_LABELS: Record<keyof RuleFormValues, string> = {
  name: "Name",
  description: "Description",
  kind: "Kind",
  expr: "Expression",
  data_source: "Data source",
  metric_name: "Metric",
  condition: "Condition",
  threshold_value: "Threshold",
  time_window_minutes: "Window",
  aggregation: "Aggregation",
  severity: "Severity",
  slack_enabled: "Notify Slack",
  slack_channel: "Slack channel",
  email_enabled: "Send email",
  email_recipients: "Email recipients",
  cooldown_minutes: "Reminder every",
  auto_resolve: "Resolve automatically",
  notify_on_resolve: "Tell the channels when resolved",
  resolve_threshold: "Resolve threshold",
  alert_on_no_data: "Alert when there is no data",
  max_alerts_per_hour: "At most alerts per hour",
  is_active: "Active",
  label_matchers: "Label matchers",
  group_by: "Group by",
  max_series_per_rule: "At most groups",
  for_minutes: "Pending for",
  labels: "Rule labels",
  runbook_url: "Runbook URL",
  summary: "Summary",
  channels: "Other channels",
  flap_threshold: "Flapping after",
  flap_window_minutes: "Flapping counted over",
};

export function isFormField(name: string): name is keyof RuleFormValues {
  return name in FIELD_LABELS;
}

/** The messages about `field` itself and about anything inside it (`label_matchers.1.op`). */
export function errorsUnder(errors: FieldErrors, field: string): string[] {
  return Object.entries(errors).flatMap(([path, messages]) =>
    path === field || path.startsWith(`${field}.`) ? [...messages] : [],
  );
}

const MATCHER_PARTS: Record<string, string> = { label: "label", op: "operator", value: "value" };

/**
 * Where an error's path is in the form, in words: "Label matchers, row 2, operator" for
 * `label_matchers.1.op`, "Rule labels, team" for `labels.team`; null for a field the form lacks.
 */
export function fieldPathLabel(path: string): string | null {
  const [field = "", ...rest] = path.split(".");
  if (!isFormField(field)) return null;
  const parts = [FIELD_LABELS[field]];
  if (field === "label_matchers" && rest[0] !== undefined && /^\d+$/.test(rest[0])) {
    parts.push(`row ${Number(rest[0]) + 1}`);
    const part = rest[1];
    if (part !== undefined && part in MATCHER_PARTS) parts.push(MATCHER_PARTS[part] ?? part);
  } else if (field === "labels" && rest.length > 0) {
    parts.push(rest.join("."));
  } else if (field === "group_by" && rest[0] !== undefined && /^\d+$/.test(rest[0])) {
    parts.push(`name ${Number(rest[0]) + 1}`);
  }
  return parts.join(", ");
}
