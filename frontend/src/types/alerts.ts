/** Types of the alerts API (`/api/alerts/...`), named as the API names things. */
import type { Aggregation, MetricReading } from "./monitoring";

export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
/** Most severe first. */
export type Severity = (typeof SEVERITIES)[number];

export const CONDITIONS = ["gt", "gte", "lt", "lte", "eq", "ne"] as const;
export type Condition = (typeof CONDITIONS)[number];

export const RULE_STATES = ["ok", "firing", "suppressed", "no_data", "error"] as const;
/**
 * The engine's verdict on a rule at its last evaluation. "suppressed": the condition holds but a
 * limit (max alerts per hour, the cooldown after a manual resolve) holds a new alert back.
 */
export type RuleState = (typeof RULE_STATES)[number];

export const ALERT_STATUSES = ["active", "resolved"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export type DeliveryStatus = "pending" | "sent" | "failed" | "skipped";
/** "suppressed": the rule's channels told, once per episode, that a limit holds new alerts back. */
export type NotificationEvent = "trigger" | "reminder" | "resolve" | "test" | "summary" | "suppressed";

/** One message to one target on one channel, and what became of it. */
export interface Delivery {
  id: number;
  channel: string;
  target: string;
  event: NotificationEvent;
  status: DeliveryStatus;
  attempts: number;
  last_error: string;
  /** The HTTP status (Slack) or SMTP reply code (email) of the last attempt. */
  response_code: number | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
}

/**
 * How an alert's value was computed, as the engine recorded it. An object of any shape in the
 * schema: a manual trigger records less than the engine, and older alerts may differ. Read it with
 * `lib/alertContext.ts`, never directly.
 */
export type AlertContextRecord = Record<string, unknown>;

/** An alert in the history list. */
export interface AlertItem {
  id: number;
  /** Null once the rule has been deleted (the history stays, with `rule_name`). */
  rule: number | null;
  rule_name: string;
  metric_name: string;
  severity: Severity;
  /** The value that fired it; null for a manual trigger, or no data. */
  value: number | null;
  last_value: number | null;
  threshold_value: number;
  condition: Condition;
  status: AlertStatus;
  message: string;
  triggered_at: string;
  resolved_at: string | null;
  /** Who resolved it; null when resolved by the system (or still open). */
  resolved_by: string | null;
  notes: string;
  manual: boolean;
  notification_count: number;
  last_notified_at: string | null;
  context: AlertContextRecord;
}

/** `GET /api/alerts/history/<id>/` */
export interface AlertDetail extends AlertItem {
  deliveries: Delivery[];
}

export const ALERT_ORDERINGS = [
  "-triggered_at",
  "triggered_at",
  "severity,-triggered_at",
  "-resolved_at",
] as const;
export type AlertOrdering = (typeof ALERT_ORDERINGS)[number];

/** The history's filters, named as the API's query parameters (and the page's address). */
export interface AlertFilters {
  severity?: Severity;
  rule?: number;
  status?: AlertStatus;
  /** ISO 8601: triggered at or after. */
  since?: string;
  /** ISO 8601: triggered at or before. */
  until?: string;
  ordering?: AlertOrdering;
  page?: number;
  page_size?: number;
}

/** `POST /api/alerts/trigger/` */
export interface TriggerRequest {
  rule_id: number;
  message: string;
}

/** The 409 of a trigger: the rule already has an open alert. */
export interface AlreadyActive {
  detail: string;
  alert_id: number | null;
}

/** `GET /api/alerts/open-alerts/` */
export interface OpenAlertCounts {
  total: number;
  by_severity: Record<Severity, number>;
}

/** What a person sets on a rule (`POST`/`PUT /api/alerts/rules/`). */
export interface AlertRuleInput {
  name: string;
  description: string;
  metric_name: string;
  condition: Condition;
  threshold_value: number;
  time_window_minutes: number;
  /** "" for the metric's default aggregation. */
  aggregation: Aggregation | "";
  severity: Severity;
  slack_enabled: boolean;
  /** "" for SLACK_DEFAULT_CHANNEL. */
  slack_channel: string;
  email_enabled: boolean;
  email_recipients: string[];
  cooldown_minutes: number;
  auto_resolve: boolean;
  notify_on_resolve: boolean;
  resolve_threshold: number | null;
  alert_on_no_data: boolean;
  max_alerts_per_hour: number;
  is_active: boolean;
}

/** A rule as the API shows it, with its evaluation state. */
export interface AlertRule extends AlertRuleInput {
  id: number;
  effective_aggregation: Aggregation;
  effective_slack_channel: string;
  state: RuleState;
  /** Why the rule is in its state (what holds it back, why there is no data); "" when nothing to say. */
  state_reason: string;
  last_value: number | null;
  last_evaluated_at: string | null;
  last_error: string;
  state_changed_at: string | null;
  open_alert_id: number | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** The answer to a create or update: the rule, and what the person saving it should know. */
export interface SavedRule extends AlertRule {
  /** E.g. a custom metric with no sample yet; absent from a server that has none to give. */
  warnings?: string[];
}

export const RULE_ORDERINGS = ["name", "severity", "state", "metric_name", "-updated_at", "-last_evaluated_at"] as const;
export type RuleOrdering = (typeof RULE_ORDERINGS)[number];

export interface RuleFilters {
  search?: string;
  is_active?: boolean;
  severity?: Severity;
  metric_name?: string;
  state?: RuleState;
  ordering?: RuleOrdering;
  page?: number;
  page_size?: number;
}

/** What the engine would do about a rule now. */
export type EngineAction = "fire" | "remind" | "resolve" | "update" | "none" | "suppressed";

/** A dry run: `POST /api/alerts/rules/<id>/evaluate/` or `/rules/evaluate/`. */
export interface Evaluation {
  /** Null for a rule not saved yet. */
  rule_id: number | null;
  evaluated_at: string;
  metric_name: string;
  source: string;
  aggregation: string;
  window_minutes: number;
  window_start: string | null;
  window_end: string | null;
  value: number | null;
  no_data: boolean;
  condition: Condition;
  threshold_value: number;
  resolve_threshold: number | null;
  /** Null when there is no value to compare. */
  condition_met: boolean | null;
  /** Null for a rule not saved yet. */
  current_state: RuleState | null;
  state: RuleState;
  action: EngineAction;
  reason: string;
  error: string;
  open_alert_id: number | null;
  points: { t: string; v: number | null }[];
}

/**
 * What the rule form sends: its numbers as typed (a number when it reads as one, else the text), so
 * that the server, the one judge of a rule, names what is wrong with each field; the recipients as
 * typed, separated by commas (the API takes a list or such a string).
 */
export type RuleInputBody = Omit<
  AlertRuleInput,
  "threshold_value" | "time_window_minutes" | "cooldown_minutes" | "resolve_threshold" | "max_alerts_per_hour" | "email_recipients"
> & {
  threshold_value: number | string;
  time_window_minutes: number | string;
  cooldown_minutes: number | string;
  resolve_threshold: number | string | null;
  max_alerts_per_hour: number | string;
  email_recipients: string[] | string;
};

/** The body of a dry run of unsaved fields; `rule_id` when they change a saved rule. */
export type RuleDraft = RuleInputBody & { rule_id: number | null };

export interface Choice<T extends string = string> {
  value: T;
  label: string;
}

/** `GET /api/alerts/metrics/`: what a rule can watch, with current values, and the form's choices. */
export interface MetricCatalogue {
  generated_at: string;
  window_minutes: number;
  metrics: MetricReading[];
  aggregations: Aggregation[];
  conditions: Choice<Condition>[];
  severities: Choice<Severity>[];
}

export type MetricHealthLevel = "critical" | "warning" | "ok";

/** A metric's standing against the active rules that watch it. */
export interface MetricHealthEntry {
  metric_name: string;
  active_rules: number;
  ok: number;
  firing: number;
  no_data: number;
  error: number;
  /** Held back by a limit; absent from a server that does not count them apart. */
  suppressed?: number;
  worst_firing_severity: Severity | null;
  health: MetricHealthLevel;
}

/** `GET /api/alerts/metric-health/`: only metrics that at least one active rule watches. */
export interface MetricHealthList {
  metrics: MetricHealthEntry[];
}

export interface ChannelStats {
  channel: string;
  label: string;
  pending: number;
  sent: number;
  failed: number;
  skipped: number;
  total: number;
  /** sent / (sent + failed) in percent; null when nothing was attempted. */
  success_rate: number | null;
}

/** `GET /api/alerts/stats/?days=N` */
export interface AlertStats {
  days: number;
  since: string;
  until: string;
  total: number;
  manual: number;
  by_severity: Record<Severity, number>;
  by_status: Record<AlertStatus, number>;
  by_rule: { rule_id: number | null; name: string; count: number }[];
  by_metric: { metric_name: string; count: number }[];
  per_day: { date: string; count: number }[];
  per_hour: { hour: string; count: number }[];
  open_now: number;
  resolved_in_period: number;
  mean_time_to_resolve_seconds: number | null;
  notifications: ChannelStats[];
}

/** `GET /api/alerts/integrations/` */
export interface Integrations {
  channels: { name: string; label: string; configured: boolean; problem: string }[];
  slack_default_channel: string;
  summary_recipients: number;
}

export interface TestSlackRequest {
  message: string;
  channel: string;
}

export interface TestEmailRequest {
  recipient: string;
  message: string;
}

/** The 200 of a test send (a 400 "not configured" and a 502 carry the same shape). */
export interface TestSendResult {
  status: "sent" | "not_configured" | "failed";
  detail: string;
  delivery: Delivery | null;
}
