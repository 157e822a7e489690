/** Builders of API answers for component tests (never used by the app itself). */
import type { Check } from "../types/checks";
import type {
  AlertDetail,
  AlertItem,
  AlertRule,
  AlertStats,
  ChannelKind,
  ChannelSetting,
  Delivery,
  Evaluation,
  Integrations,
  MaintenanceWindow,
  Silence,
  TimelineEntry,
  MetricCatalogue,
  MetricHealthEntry,
  NotificationChannel,
  NotificationPolicy,
  OpenAlertCounts,
  RoutePreview,
  Severity,
} from "../types/alerts";
import type {
  EndpointStat,
  EndpointStats,
  ErrorLogDetail,
  ErrorLogEntry,
  MetricReading,
  MetricSeries,
  MonitoringOverview,
  Paginated,
} from "../types/monitoring";

type CatalogueRow = Pick<MetricReading, "name" | "label" | "unit" | "category" | "kind" | "default_aggregation">;

/** Where the catalogue places each metric on the dashboard (`card`, `chart`). */
const PLACEMENTS: Record<string, { card?: { title: string; order: number }; chart?: { title: string; order: number } }> = {
  cpu_usage: { card: { title: "CPU usage", order: 10 }, chart: { title: "CPU and memory", order: 40 } },
  memory_usage: { card: { title: "Memory usage", order: 20 }, chart: { title: "CPU and memory", order: 41 } },
  disk_usage: { card: { title: "Disk usage", order: 30 } },
  api_response_time: { card: { title: "API response time", order: 40 }, chart: { title: "API response time", order: 10 } },
  api_error_rate: { card: { title: "API error rate", order: 50 }, chart: { title: "API error rate", order: 20 } },
  api_request_count: { card: { title: "API requests", order: 60 }, chart: { title: "API requests", order: 30 } },
  db_connection_count: { card: { title: "Database", order: 70 } },
  db_query_time: { card: { title: "Database", order: 71 } },
  redis_memory_usage: { card: { title: "Redis", order: 80 } },
  redis_connected_clients: { card: { title: "Redis", order: 81 } },
  celery_workers: { card: { title: "Celery", order: 90 } },
  celery_queue_length: { card: { title: "Celery", order: 91 } },
  celery_failed_tasks: { card: { title: "Celery", order: 92 } },
  cache_hit_rate: { card: { title: "Cache hit rate", order: 100 } },
  active_users: { card: { title: "Active users", order: 110 } },
};

/** The catalogue as the backend describes it (monitoring/catalogue.py). */
const CATALOGUE: CatalogueRow[] = [
  { name: "cpu_usage", label: "CPU usage", unit: "%", category: "system", kind: "gauge", default_aggregation: "avg" },
  { name: "memory_usage", label: "Memory usage", unit: "%", category: "system", kind: "gauge", default_aggregation: "avg" },
  { name: "disk_usage", label: "Disk usage", unit: "%", category: "system", kind: "gauge", default_aggregation: "avg" },
  { name: "api_response_time", label: "API response time", unit: "ms", category: "api", kind: "gauge", default_aggregation: "avg" },
  { name: "api_error_rate", label: "API error rate", unit: "%", category: "api", kind: "ratio", default_aggregation: "avg" },
  { name: "api_request_count", label: "API requests", unit: "requests", category: "api", kind: "counter", default_aggregation: "sum" },
  { name: "db_connection_count", label: "Database connections", unit: "connections", category: "database", kind: "gauge", default_aggregation: "avg" },
  { name: "db_query_time", label: "Database query time", unit: "ms", category: "database", kind: "gauge", default_aggregation: "avg" },
  { name: "error_count", label: "Errors", unit: "errors", category: "errors", kind: "counter", default_aggregation: "sum" },
  { name: "ai_cost", label: "AI cost", unit: "USD", category: "ai", kind: "counter", default_aggregation: "sum" },
  { name: "active_users", label: "Active users", unit: "users", category: "business", kind: "gauge", default_aggregation: "count" },
  { name: "redis_memory_usage", label: "Redis memory", unit: "MB", category: "services", kind: "gauge", default_aggregation: "avg" },
  { name: "redis_connected_clients", label: "Redis clients", unit: "clients", category: "services", kind: "gauge", default_aggregation: "avg" },
  { name: "celery_failed_tasks", label: "Failed tasks", unit: "tasks", category: "services", kind: "counter", default_aggregation: "sum" },
  { name: "celery_queue_length", label: "Queue length", unit: "messages", category: "services", kind: "gauge", default_aggregation: "avg" },
  { name: "celery_workers", label: "Celery workers", unit: "workers", category: "services", kind: "gauge", default_aggregation: "max" },
  { name: "cache_hit_rate", label: "Cache hit rate", unit: "%", category: "services", kind: "gauge", default_aggregation: "avg" },
];

/** An overview where every metric has no data except those given values. */
export function overview(values: Record<string, number> = {}, windowMinutes = 5): MonitoringOverview {
  return {
    generated_at: "2026-11-27T17:28:40.438429+00:00",
    window_minutes: windowMinutes,
    metrics: CATALOGUE.map((row) => {
      const value = values[row.name];
      const { card = null, chart = null } = PLACEMENTS[row.name] ?? {};
      return { ...row, description: `${row.label}.`, card, chart, value: value ?? null, no_data: value === undefined };
    }),
  };
}

/** A series of `values` ending at 17:28 UTC, one point a bucket. */
export function series(
  metric: string,
  values: (number | null)[],
  { minutes = 60, unit = "%", label = metric, bucketSeconds = 60 } = {},
): MetricSeries {
  const end = Date.parse("2026-11-27T17:28:00Z");
  return {
    metric,
    label,
    unit,
    minutes,
    bucket_seconds: bucketSeconds,
    aggregation: "avg",
    points: values.map((v, index) => ({
      t: new Date(end - (values.length - 1 - index) * bucketSeconds * 1000).toISOString(),
      v,
    })),
    split_by: null,
    series: [],
  };
}

export function route(overrides: Partial<EndpointStat> = {}): EndpointStat {
  return {
    service: "resee",
    route: "/api/monitoring/metrics/",
    method: "POST",
    count: 3,
    status_4xx: 1,
    status_5xx: 0,
    error_rate: 0,
    avg_ms: 43.258,
    p95_ms: 123.978,
    max_ms: 123.978,
    queries_per_request: 2.33,
    ...overrides,
  };
}

export function endpoints(routes: EndpointStat[] = [], minutes = 60): EndpointStats {
  return { minutes, ordering: "p95_ms", routes };
}

export function errorEntry(overrides: Partial<ErrorLogEntry> = {}): ErrorLogEntry {
  return {
    id: 1,
    level: "ERROR",
    service: "resee",
    logger: "payments",
    message: "payment 42 failed",
    exception_type: "",
    path: "",
    method: "",
    user: null,
    occurrences: 1,
    first_seen: "2026-11-27T17:20:00Z",
    last_seen: "2026-11-27T17:28:40Z",
    resolved: false,
    resolved_at: null,
    ...overrides,
  };
}

export function errorDetail(overrides: Partial<ErrorLogDetail> = {}): ErrorLogDetail {
  return { ...errorEntry(), traceback: "", fingerprint: "f".repeat(64), ...overrides };
}

export function page<T>(results: T[], count = results.length): Paginated<T> {
  return { count, next: null, previous: null, results };
}

// --- Alerting ---------------------------------------------------------------------------------------

export function alertItem(overrides: Partial<AlertItem> = {}): AlertItem {
  return {
    id: 1,
    rule: 1,
    rule_name: "High CPU Usage",
    metric_name: "cpu_usage",
    severity: "high",
    value: 91.5,
    last_value: 91.5,
    threshold_value: 80,
    condition: "gt",
    status: "active",
    message: "cpu_usage (avg over 5 min) is 91.5 %, > 80 %",
    triggered_at: "2026-11-27T17:20:00Z",
    resolved_at: null,
    resolved_by: null,
    notes: "",
    manual: false,
    notification_count: 1,
    last_notified_at: "2026-11-27T17:20:02Z",
    labels: {},
    group_labels: {},
    runbook_url: "",
    summary: "",
    acknowledged_at: null,
    acknowledged_by: null,
    acknowledged_comment: "",
    acknowledged_via: null,
    silenced_by: { silences: [], maintenance_windows: [] },
    inhibited_by: [],
    flapping: false,
    rule_version: null,
    context: {
      metric: "cpu_usage",
      value: 91.5,
      aggregation: "avg",
      window_minutes: 5,
      window_start: "2026-11-27T17:15:00+00:00",
      window_end: "2026-11-27T17:20:00+00:00",
      points: [
        ["2026-11-27T17:16:00+00:00", 88.0],
        ["2026-11-27T17:18:00+00:00", 95.0],
      ],
      condition: "gt",
      threshold: 80,
      resolve_threshold: null,
    },
    ...overrides,
  };
}

/** The environment's default channels, as the backend names them (alerts/services/channels.py). */
const DEFAULT_CHANNELS: Record<string, { id: number; name: string }> = {
  slack: { id: 1, name: "Slack (default)" },
  email: { id: 2, name: "Email (default)" },
};

export function delivery(overrides: Partial<Delivery> = {}): Delivery {
  const kind = overrides.channel ?? "slack";
  return {
    id: 1,
    channel: kind,
    channel_id: DEFAULT_CHANNELS[kind]?.id ?? null,
    channel_name: DEFAULT_CHANNELS[kind]?.name ?? kind,
    target: "#alerts",
    event: "trigger",
    status: "sent",
    attempts: 1,
    last_error: "",
    response_code: 200,
    created_at: "2026-11-27T17:20:00Z",
    sent_at: "2026-11-27T17:20:01Z",
    next_attempt_at: null,
    ...overrides,
  };
}

export function alertDetail(overrides: Partial<AlertDetail> = {}): AlertDetail {
  return { ...alertItem(), deliveries: [delivery()], ...overrides };
}

export function rule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 1,
    provisioned: null,
    name: "High CPU Usage",
    description: "Alert when CPU usage exceeds 80% for 5 minutes",
    kind: "metric",
    expr: "",
    data_source: null,
    metric_name: "cpu_usage",
    condition: "gt",
    threshold_value: 80,
    time_window_minutes: 5,
    aggregation: "",
    severity: "high",
    slack_enabled: true,
    slack_channel: "#system-alerts",
    email_enabled: true,
    email_recipients: ["ops@resee.com"],
    cooldown_minutes: 60,
    auto_resolve: true,
    notify_on_resolve: true,
    resolve_threshold: null,
    alert_on_no_data: false,
    max_alerts_per_hour: 10,
    is_active: true,
    label_matchers: [],
    group_by: [],
    max_series_per_rule: 100,
    for_minutes: 0,
    labels: {},
    runbook_url: "",
    summary: "",
    channels: [],
    flap_threshold: 6,
    flap_window_minutes: 30,
    flapping_since: null,
    effective_aggregation: "avg",
    effective_slack_channel: "#system-alerts",
    state: "ok",
    state_reason: "",
    last_value: 36.2,
    last_evaluated_at: "2026-11-27T17:28:00Z",
    last_error: "",
    state_changed_at: null,
    open_alert_id: null,
    groups: [],
    created_by: "admin",
    created_at: "2026-11-27T17:00:00Z",
    updated_at: "2026-11-27T17:00:00Z",
    ...overrides,
  };
}

export function evaluation(overrides: Partial<Evaluation> = {}): Evaluation {
  return {
    rule_id: null,
    evaluated_at: "2026-11-27T17:28:40Z",
    kind: "metric",
    query: "",
    data_source: null,
    metric_name: "cpu_usage",
    source: "samples",
    aggregation: "avg",
    window_minutes: 5,
    window_start: "2026-11-27T17:23:40Z",
    window_end: "2026-11-27T17:28:40Z",
    value: 90,
    no_data: false,
    condition: "gt",
    threshold_value: 80,
    resolve_threshold: null,
    condition_met: true,
    current_state: null,
    state: "firing",
    action: "fire",
    reason: "threshold crossed",
    error: "",
    open_alert_id: null,
    summary: "",
    points: [
      { t: "2026-11-27T17:25:00Z", v: 85 },
      { t: "2026-11-27T17:27:00Z", v: 95 },
    ],
    groups: [],
    ...overrides,
  };
}

export function catalogue(values: Record<string, number> = { cpu_usage: 36.2 }): MetricCatalogue {
  return {
    ...overview(values),
    aggregations: ["avg", "min", "max", "sum", "last", "count", "p95"],
    conditions: [
      { value: "gt", label: "greater than" },
      { value: "gte", label: "greater than or equal to" },
      { value: "lt", label: "less than" },
      { value: "lte", label: "less than or equal to" },
      { value: "eq", label: "equal to" },
      { value: "ne", label: "not equal to" },
    ],
    severities: [
      { value: "low", label: "Low" },
      { value: "medium", label: "Medium" },
      { value: "high", label: "High" },
      { value: "critical", label: "Critical" },
    ],
  };
}

export function healthEntry(overrides: Partial<MetricHealthEntry> = {}): MetricHealthEntry {
  return {
    metric_name: "cpu_usage",
    active_rules: 1,
    ok: 1,
    firing: 0,
    suppressed: 0,
    no_data: 0,
    error: 0,
    worst_firing_severity: null,
    health: "ok",
    ...overrides,
  };
}

export function openCounts(bySeverity: Partial<Record<Severity, number>> = {}): OpenAlertCounts {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, ...bySeverity };
  return { total: counts.critical + counts.high + counts.medium + counts.low, by_severity: counts };
}

export function stats(overrides: Partial<AlertStats> = {}): AlertStats {
  return {
    days: 7,
    since: "2026-11-20T17:28:00Z",
    until: "2026-11-27T17:28:00Z",
    total: 3,
    manual: 1,
    by_severity: { critical: 1, high: 2, medium: 0, low: 0 },
    by_status: { active: 1, resolved: 2 },
    by_rule: [
      { rule_id: 1, name: "High CPU Usage", count: 2 },
      { rule_id: null, name: "Old rule", count: 1 },
    ],
    by_metric: [
      { metric_name: "cpu_usage", count: 2 },
      { metric_name: "checkout_queue", count: 1 },
    ],
    per_day: [
      { date: "2026-11-26", count: 1 },
      { date: "2026-11-27", count: 2 },
    ],
    per_hour: [
      { hour: "2026-11-27T16:00:00Z", count: 1 },
      { hour: "2026-11-27T17:00:00Z", count: 2 },
    ],
    open_now: 1,
    resolved_in_period: 2,
    mean_time_to_resolve_seconds: 750,
    acknowledged_in_period: 0,
    mean_time_to_acknowledge_seconds: null,
    p90_time_to_acknowledge_seconds: null,
    notifications: [
      { channel: "slack", label: "Slack", pending: 0, sent: 3, failed: 1, skipped: 0, total: 4, success_rate: 75 },
      { channel: "email", label: "Email", pending: 0, sent: 0, failed: 0, skipped: 2, total: 2, success_rate: null },
    ],
    engine: {
      last_tick_at: "2026-11-27T17:27:00Z",
      last_tick_seconds: 0.4,
      skipped_ticks: 0,
      skipped_by_reason: {},
      last_skipped_at: null,
      last_skip_reason: "",
    },
    ...overrides,
  };
}

export function integrations(overrides: Partial<Integrations> = {}): Integrations {
  return {
    channels: [
      { name: "slack", label: "Slack", configured: false, problem: "Slack is not configured: SLACK_WEBHOOK_URL is not set." },
      { name: "email", label: "Email", configured: true, problem: "" },
    ],
    slack_default_channel: "#alerts",
    summary_recipients: 0,
    ...overrides,
  };
}

// --- Channels and policies ---------------------------------------------------------------------------

function setting(overrides: Partial<ChannelSetting> & Pick<ChannelSetting, "name" | "label">): ChannelSetting {
  return {
    type: "string",
    required: false,
    secret: false,
    help: "",
    default: null,
    choices: [],
    min_value: null,
    max_value: null,
    max_length: 500,
    placeholder: "",
    ...overrides,
  };
}

/** Some kinds shaped as their notifiers declare them (backend alerts/services/*_notifier.py); the
 * webhook has a choice setting besides, so that every type of field is shown. */
export function channelKinds(): ChannelKind[] {
  return [
    {
      kind: "slack",
      label: "Slack",
      description: "A Slack incoming webhook.",
      target_setting: "channel",
      target_label: "Channel",
      settings: [
        setting({ name: "webhook_url", label: "Webhook URL", type: "url", required: true, secret: true, max_length: 1000, help: "The incoming webhook's URL." }),
        setting({ name: "channel", label: "Channel", max_length: 80, placeholder: "#alerts" }),
      ],
    },
    {
      kind: "email",
      label: "Email",
      description: "Email through an SMTP server.",
      target_setting: "recipients",
      target_label: "Recipients",
      settings: [
        setting({ name: "recipients", label: "Recipients", type: "emails", required: true }),
        setting({ name: "port", label: "SMTP port", type: "integer", default: 587, min_value: 1, max_value: 65535 }),
        setting({ name: "use_tls", label: "STARTTLS", type: "boolean", default: true }),
        setting({ name: "password", label: "SMTP password", secret: true }),
      ],
    },
    {
      kind: "webhook",
      label: "Webhook",
      description: "Alertmanager's webhook format, to any URL.",
      target_setting: "",
      target_label: "",
      settings: [
        setting({ name: "url", label: "URL", type: "url", required: true, secret: true, max_length: 1000, help: "Where to POST." }),
        setting({ name: "headers", label: "Custom headers", type: "headers" }),
        setting({ name: "authorization", label: "Authorization header", secret: true, max_length: 1000 }),
        setting({ name: "format", label: "Format", type: "choice", required: true, choices: ["alertmanager", "plain"], default: "alertmanager" }),
      ],
    },
    {
      kind: "discord",
      label: "Discord",
      description: "A Discord channel's webhook.",
      target_setting: "",
      target_label: "",
      settings: [
        setting({ name: "webhook_url", label: "Webhook URL", type: "url", required: true, secret: true, max_length: 1000, placeholder: "https://discord.com/api/webhooks/…" }),
        setting({ name: "username", label: "Bot name", max_length: 80 }),
      ],
    },
  ];
}

const NO_STATS = { sent: 0, failed: 0, skipped: 0, pending: 0, failure_rate: null, last_delivery_at: null };

export function channel(overrides: Partial<NotificationChannel> = {}): NotificationChannel {
  return {
    id: 3,
    provisioned: null,
    kind: "discord",
    kind_label: "Discord",
    name: "Ops Discord",
    settings: { username: "Resee" },
    secrets: { webhook_url: "set (…ab12)" },
    is_active: true,
    builtin: "",
    configured: true,
    problem: "",
    targets: [],
    stats: NO_STATS,
    created_at: "2026-11-27T17:00:00Z",
    updated_at: "2026-11-27T17:00:00Z",
    ...overrides,
  };
}

/** The environment's default channels, as the API lists them. */
export function defaultChannels(): NotificationChannel[] {
  return [
    channel({
      id: 1,
      kind: "slack",
      kind_label: "Slack",
      name: "Slack (default)",
      builtin: "slack",
      settings: { configured_by: "SLACK_WEBHOOK_URL, SLACK_DEFAULT_CHANNEL and SLACK_BOT_NAME" },
      secrets: {},
      configured: false,
      problem: "Slack is not configured: SLACK_WEBHOOK_URL is not set.",
      targets: ["#alerts"],
    }),
    channel({
      id: 2,
      kind: "email",
      kind_label: "Email",
      name: "Email (default)",
      builtin: "email",
      settings: { configured_by: "EMAIL_HOST, EMAIL_PORT and DEFAULT_FROM_EMAIL" },
      secrets: {},
      targets: [],
    }),
  ];
}

export function policy(overrides: Partial<NotificationPolicy> = {}): NotificationPolicy {
  return {
    id: 1,
    provisioned: null,
    name: "Critical to PagerDuty",
    position: 0,
    matchers: [{ label: "severity", op: "=", value: "critical" }],
    channels: [3],
    continue: true,
    is_active: true,
    group_by: [],
    group_wait_seconds: 30,
    group_interval_seconds: 300,
    repeat_interval_seconds: 14400,
    escalate_after_minutes: null,
    escalation_channels: [],
    created_at: "2026-11-27T17:00:00Z",
    updated_at: "2026-11-27T17:00:00Z",
    ...overrides,
  };
}

export function routePreview(overrides: Partial<RoutePreview> = {}): RoutePreview {
  return {
    values: { severity: "critical", metric: "cpu_usage", rule: "High CPU Usage", category: "system" },
    matched_policies: [1],
    routes: [
      {
        channel_id: 3,
        channel_name: "Ops Discord",
        kind: "discord",
        target: "",
        is_active: true,
        via: "policy",
        policy_id: 1,
        policy_name: "Critical to PagerDuty",
      },
    ],
    ...overrides,
  };
}

export function silence(overrides: Partial<Silence> = {}): Silence {
  return {
    id: 3,
    provisioned: null,
    matchers: [{ label: "rule", op: "=", value: "High CPU Usage" }],
    starts_at: "2026-11-27T17:00:00Z",
    ends_at: "2026-11-27T19:00:00Z",
    comment: "Rebuilding the cache",
    state: "active",
    created_by: "oncall",
    created_at: "2026-11-27T17:00:00Z",
    updated_at: "2026-11-27T17:00:00Z",
    ...overrides,
  };
}

export function maintenanceWindow(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    id: 2,
    provisioned: null,
    matchers: [{ label: "category", op: "=", value: "system" }],
    weekdays: [6],
    start_time: "02:00",
    end_time: "04:00",
    time_zone: "Europe/Berlin",
    starts_on: null,
    ends_on: null,
    comment: "Weekly backups",
    active_now: false,
    current_ends_at: null,
    next_start: "2026-11-29T01:00:00Z",
    created_by: "admin",
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

export function timelineEntry(overrides: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    at: "2026-11-27T17:20:00Z",
    kind: "opened",
    text: "Opened: cpu_usage was 91.5 %, above 80 %",
    actor: null,
    via: "engine",
    event: null,
    channel: null,
    target: null,
    status: null,
    delivery_id: null,
    ...overrides,
  };
}

// --- Checks -----------------------------------------------------------------------------------------

export function check(overrides: Partial<Check> = {}): Check {
  return {
    id: 1,
    provisioned: null,
    name: "Our website",
    kind: "http",
    is_active: true,
    interval_seconds: 60,
    timeout_seconds: 10,
    url: "https://example.com/",
    method: "GET",
    headers: {},
    expected_status: "200-299",
    body_contains: "",
    body_regex: false,
    follow_redirects: true,
    verify_tls: true,
    host: "",
    port: null,
    period_seconds: 86400,
    grace_seconds: 3600,
    cron: "",
    time_zone: "UTC",
    ping_url: "",
    status: "up",
    status_since: "2026-11-27T16:00:00Z",
    last_checked_at: "2026-11-27T17:00:00Z",
    last_response_time_ms: 120,
    last_error: "",
    cert_days_left: 42,
    last_ping_at: null,
    uptime: { "24h": 99.5, "7d": 99.9, "30d": 100 },
    recent: [
      { at: "2026-11-27T16:58:00Z", up: true, response_time_ms: 110 },
      { at: "2026-11-27T16:59:00Z", up: true, response_time_ms: 140 },
      { at: "2026-11-27T17:00:00Z", up: true, response_time_ms: 120 },
    ],
    rule_id: 7,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

export function heartbeat(overrides: Partial<Check> = {}): Check {
  return check({
    id: 2,
    name: "Nightly backup",
    kind: "heartbeat",
    url: "",
    ping_url: "http://testserver/ping/0b6c7a8e-1111-4222-8333-944455556666/",
    status: "down",
    last_checked_at: null,
    last_response_time_ms: null,
    cert_days_left: null,
    last_ping_at: "2026-11-26T03:00:00Z",
    last_error: "No ping since 26 Nov 03:00 UTC.",
    uptime: { "24h": 50, "7d": null, "30d": null },
    recent: [],
    rule_id: 8,
    ...overrides,
  });
}
