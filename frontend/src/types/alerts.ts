/**
 * Types of the alerts API (`/api/alerts/...`), named as the API names things: the schema's types
 * (`api.gen.ts`), narrowed where the schema says less than the API promises.
 */
import { alertStatusEnumValues, schemaPatterns } from "./api.gen";
import { everyValue, type OrderingOf, type Schemas, type SubsetOf } from "./api";
import type { Aggregation, MetricReading } from "./monitoring";

export type Severity = Schemas["SeverityEnum"];
/** Most severe first. */
export const SEVERITIES = everyValue<Severity>()(["critical", "high", "medium", "low"]);

export type Condition = Schemas["ConditionEnum"];

/** metric: a metric of this system over a window; promql: an expression a data source evaluates. */
export type RuleKind = Schemas["RuleKindEnum"];

/**
 * The engine's verdict on a rule at its last evaluation. "pending": the condition holds, for less
 * than the rule's pending period so far. "suppressed": the condition holds but a limit (max alerts
 * per hour, the cooldown after a manual resolve) holds a new alert back.
 */
export type RuleState = Schemas["RuleStateEnum"];
export const RULE_STATES = everyValue<RuleState>()(["ok", "pending", "firing", "suppressed", "no_data", "error"]);

export type AlertStatus = Schemas["AlertStatusEnum"];
export const ALERT_STATUSES = alertStatusEnumValues;

export type DeliveryStatus = Schemas["DeliveryStatusEnum"];
/** "suppressed": the rule's channels told, once per episode, that a limit holds new alerts back. */
export type NotificationEvent = Schemas["NotificationEventEnum"];

/** One message to one target on one channel, and what became of it. */
export type Delivery = Schemas["Delivery"];

/**
 * How an alert's value was computed, as the engine recorded it. An object of any shape in the
 * schema: a manual trigger records less than the engine, and older alerts may differ. Read it with
 * `components/alerts/alertContext.ts`, never directly.
 */
export type AlertContextRecord = Schemas["AlertHistory"]["context"];

/** An alert in the history list. `rule` is null once the rule has been deleted (the history stays,
 * with `rule_name`); `value` is null for a manual trigger, or no data; `resolved_by` is null when
 * resolved by the system (or still open). */
export type AlertItem = Schemas["AlertHistory"];

/** `GET /api/alerts/history/<id>/` */
export type AlertDetail = Schemas["AlertHistoryDetail"];

/** The history's orders the dashboard offers. */
export type AlertOrdering = SubsetOf<
  OrderingOf<"alerts_history_list">,
  "-triggered_at" | "triggered_at" | "severity,-triggered_at" | "-resolved_at"
>;

/** A label filter as the list APIs take it (`?label=route:/api/orders/`): a label name, a colon, the
 * exact value (empty: the label is absent). */
export const LABEL_FILTER_PATTERN = /^[a-z_][a-z0-9_]{0,63}:\P{Cc}{0,128}$/u;

/** The history's filters, named as the API's query parameters (and the page's address). */
export interface AlertFilters {
  /** Words, every one in the rule name, message, summary, labels, resolution notes or acknowledgement comment. */
  search?: string;
  severity?: Severity;
  rule?: number;
  status?: AlertStatus;
  /** ISO 8601: triggered at or after. */
  since?: string;
  /** ISO 8601: triggered at or before. */
  until?: string;
  /** `name:value`: alerts with this label (the rule's or the group's); `name:` for one without it. */
  label?: string;
  /** true: someone has it; false: nobody has (a resolved alert counts as it was when it closed). */
  acknowledged?: boolean;
  /** true: held by an active silence or maintenance window now. */
  silenced?: boolean;
  /** true: inhibited by another open alert now. */
  inhibited?: boolean;
  /** true: its rule or group is flapping. */
  flapping?: boolean;
  ordering?: AlertOrdering;
  page?: number;
  page_size?: number;
}

/** `POST /api/alerts/trigger/` */
export type TriggerRequest = Schemas["TriggerRequest"];

/** The 409 of a trigger: the rule already has an open alert. */
export type AlreadyActive = Schemas["AlreadyActive"];

/** `GET /api/alerts/open-alerts/`. The schema gives `by_severity` any keys; the API gives each
 * severity's count. */
export type OpenAlertCounts = Omit<Schemas["OpenAlerts"], "by_severity"> & { by_severity: Record<Severity, number> };

/** A rule as the API shows it, with its evaluation state. `aggregation` "" is the metric's default;
 * `slack_channel` "" is SLACK_DEFAULT_CHANNEL; `state_reason` says why the rule is in its state (what
 * holds it back, why there is no data), "" when nothing to say. */
export type AlertRule = Schemas["AlertRule"];

/** The name a rule's metric may have (a custom metric's, as the ingest API takes it too). */
export const METRIC_NAME_PATTERN = new RegExp(schemaPatterns["AlertRuleInputRequest.metric_name"]);

/** What a person sets on a rule (`POST`/`PUT /api/alerts/rules/`): the fields a rule takes, as the
 * API shows them. */
export type AlertRuleInput = Pick<AlertRule, keyof Schemas["AlertRuleInputRequest"]>;

/** The answer to a create or update: the rule, and what the person saving it should know (e.g. a
 * custom metric with no sample yet). */
export type SavedRule = Schemas["AlertRuleSaved"];

/** The rule list's orders the dashboard offers. */
export type RuleOrdering = SubsetOf<
  OrderingOf<"alerts_rules_list">,
  "name" | "severity" | "state" | "metric_name" | "-updated_at" | "-last_evaluated_at"
>;

export interface RuleFilters {
  search?: string;
  is_active?: boolean;
  severity?: Severity;
  metric_name?: string;
  state?: RuleState;
  /** `name:value`: rules with this label of their own (team:payments). */
  label?: string;
  ordering?: RuleOrdering;
  page?: number;
  page_size?: number;
}

/** What the engine would do about a rule now. */
export type EngineAction = Schemas["EngineActionEnum"];

/**
 * A dry run: `POST /api/alerts/rules/<id>/evaluate/` or `/rules/evaluate/`. `rule_id` and
 * `current_state` are null for a rule not saved yet; `condition_met` is null when there is no value
 * to compare. The schema types the condition and states as any text; the API gives its choices.
 */
export type Evaluation = Omit<Schemas["Evaluation"], "condition" | "current_state" | "state" | "groups"> & {
  condition: Condition;
  current_state: RuleState | null;
  state: RuleState;
  groups: GroupEvaluation[];
};

/** One group of a grouped rule's dry run (the list is worst first); `current_state` null: a new group. */
export type GroupEvaluation = Omit<Schemas["GroupEvaluation"], "current_state" | "state"> & {
  current_state: RuleState | null;
  state: RuleState;
};

/**
 * What the rule form sends: its numbers as typed (a number when it reads as one, else the text), so
 * that the server, the one judge of a rule, names what is wrong with each field; the recipients as
 * typed, separated by commas (the API takes a list or such a string).
 */
/** Selects series by one label (Prometheus semantics: `=`, `!=`, `=~`, `!~`, regexes anchored). */
export type LabelMatcher = Schemas["LabelMatcher"];

export type RuleInputBody = Omit<
  AlertRuleInput,
  | "threshold_value"
  | "time_window_minutes"
  | "cooldown_minutes"
  | "resolve_threshold"
  | "max_alerts_per_hour"
  | "email_recipients"
  | "max_series_per_rule"
  | "for_minutes"
  | "metric_name"
  | "flap_threshold"
  | "flap_window_minutes"
> & {
  /** A metric rule's; a promql rule sends none. */
  metric_name?: string;
  max_series_per_rule: number | string;
  for_minutes: number | string;
  threshold_value: number | string;
  time_window_minutes: number | string;
  cooldown_minutes: number | string;
  resolve_threshold: number | string | null;
  max_alerts_per_hour: number | string;
  email_recipients: string[] | string;
  flap_threshold: number | string;
  flap_window_minutes: number | string;
};

/** The body of a dry run of unsaved fields; `rule_id` when they change a saved rule. */
export type RuleDraft = RuleInputBody & { rule_id: number | null };

/** A choice the API offers, with its label; the schema types `value` as any text. */
export type Choice<T extends string = string> = Omit<Schemas["Choice"], "value"> & { value: T };

/** `GET /api/alerts/metrics/`: what a rule can watch, with current values, and the form's choices.
 * The schema types the choices as any text; the API gives the rules' choices. */
export type MetricCatalogue = Omit<Schemas["MetricCatalogue"], "metrics" | "aggregations" | "conditions" | "severities"> & {
  metrics: MetricReading[];
  aggregations: Aggregation[];
  conditions: Choice<Condition>[];
  severities: Choice<Severity>[];
};

export type MetricHealthLevel = Schemas["HealthEnum"];

/** A metric's standing against the active rules that watch it (`suppressed`: held back by a limit). */
export type MetricHealthEntry = Schemas["MetricHealth"];

/** `GET /api/alerts/metric-health/`: only metrics that at least one active rule watches. */
export type MetricHealthList = Schemas["MetricHealthList"];

/** A channel's deliveries; `success_rate` is sent / (sent + failed) in percent, null when nothing
 * was attempted. */
export type ChannelStats = Schemas["ChannelStats"];

/** `GET /api/alerts/stats/?days=N`. The schema gives the counts by severity and status any keys; the
 * API gives every severity and status. */
export type AlertStats = Omit<Schemas["Stats"], "by_severity" | "by_status"> & {
  by_severity: Record<Severity, number>;
  by_status: Record<AlertStatus, number>;
};

/** `GET /api/alerts/integrations/` */
export type Integrations = Schemas["Integrations"];

export type TestSlackRequest = Schemas["TestSlackRequest"];

export type TestEmailRequest = Schemas["TestEmailRequest"];

/** The 200 of a test send (a 400 "not configured" and a 502 carry the same shape). */
export type TestSendResult = Schemas["TestSendResult"];

// --- Notification channels and policies -------------------------------------------------------------

/** A notification channel (`/api/alerts/channels/`). `secrets` answers each secret's state, never its
 * value: "set (…ab12)" to managers, "set" to viewers, or "not set". `builtin` is "slack" or "email"
 * for the environment's default channels (configured by its variables; only the name and `is_active`
 * change), "" otherwise. */
export type NotificationChannel = Schemas["NotificationChannel"];

export type ChannelKindName = Schemas["NotificationChannelKindEnum"];

/** What a channel form sends. Secrets: a value sets one, "" clears it, leaving it out keeps it. */
export type ChannelInput = Schemas["NotificationChannelRequest"];

export type ChannelPatch = Schemas["PatchedNotificationChannelRequest"];

/** One setting of a channel kind, as its notifier declares it: the channel form is built from these. */
export type ChannelSetting = Schemas["Setting"];

export type ChannelSettingType = Schemas["TypeEnum"];

/** `GET /api/alerts/channels/kinds/`: every kind, its settings, and which setting names its target. */
export type ChannelKind = Schemas["ChannelKind"];

export type ChannelTestRequest = Schemas["ChannelTestRequest"];

/** A notification policy: alerts matching all its matchers also go to its channels; the first match
 * without `continue` ends the routing. */
export type NotificationPolicy = Schemas["NotificationPolicy"];

export type PolicyInput = Schemas["NotificationPolicyRequest"];

export type PolicyPatch = Schemas["PatchedNotificationPolicyRequest"];

/** `POST /api/alerts/policies/preview/`: a saved rule's alert (`rule_id`), or one described. */
export type RoutePreviewRequest = Schemas["RoutePreviewInputRequest"];

/** Where the alert would go: each channel and target, and whether the rule or a policy sent it there. */
export type RoutePreview = Schemas["RoutePreview"];

export type PreviewRoute = Schemas["Route"];

// --- Silences, maintenance windows, the timeline ----------------------------------------------------

/** pending (before starts_at), active (holding alerts now), expired. */
export type SilenceState = Schemas["SilenceStateEnum"];
export const SILENCE_STATES = everyValue<SilenceState>()(["active", "pending", "expired"]);

/** A silence (`/api/alerts/silences/`): alerts matching all its matchers between starts_at and
 * ends_at are recorded but not notified. `starts_at` is always answered. */
export type Silence = Omit<Schemas["Silence"], "starts_at"> & { starts_at: string };

/** What the silence form sends; `from_alert` names the alert it was made from (the API records a
 * "silenced" event on its timeline). */
export type SilenceInput = Schemas["SilenceRequest"];

/** `POST /api/alerts/silences/<id>/extend/`: a later end, or minutes added to the current one. */
export type SilenceExtendRequest = Schemas["SilenceExtendRequest"];

/** `POST /api/alerts/silences/preview/`: the open alerts the matchers would hold now. */
export type SilencePreview = Schemas["SilencePreview"];

/** A recurring silence (`/api/alerts/maintenance-windows/`): weekdays 0 Monday … 6 Sunday, wall-clock
 * times "HH:MM" in `time_zone`, optional first and last day. */
export type MaintenanceWindow = Schemas["MaintenanceWindow"];

export type MaintenanceWindowInput = Schemas["MaintenanceWindowRequest"];

/** What happened to an alert: one of its events (who, how) or one of its deliveries (which message,
 * channel and target, and what became of it). */
export type TimelineEntry = Schemas["TimelineEntry"];

export type TimelineKind = TimelineEntry["kind"];

/** `GET /api/alerts/history/<id>/timeline/`: the entries oldest first. */
export type AlertTimeline = Schemas["Timeline"];
