/** The outcome of one of the health probe's checks. */
export type CheckStatus = "ok" | "unavailable";

/**
 * `GET /health/`: 200 with status "ok" when every check passes, 503 with "unavailable" when one
 * does not. The backend checks `database`, `broker` and `cache` today; more checks may be added.
 */
export interface HealthReport {
  status: CheckStatus;
  checks: Record<string, CheckStatus>;
}

/**
 * How a value stands against the active alert rules that watch it (`GET /api/alerts/metric-health/`):
 * critical (a critical or high rule firing), warning (a medium or low rule firing, or a rule
 * without data or in error), ok (rules, none firing). Where no rule watches a value, nothing has
 * judged it: components then show no health at all (neutral), or "unknown" when asked to.
 */
export type MetricHealth = "ok" | "warning" | "critical" | "unknown";

export type MetricKind = "gauge" | "counter" | "ratio";
export type Aggregation = "avg" | "min" | "max" | "sum" | "last" | "count" | "p95";

/** A metric as the catalogue describes it. */
export interface MetricInfo {
  name: string;
  label: string;
  /** "%", "ms", "MB", "USD", a noun such as "requests", or "" for custom metrics. */
  unit: string;
  category: string;
  kind: MetricKind;
  default_aggregation: Aggregation;
  description: string;
}

/** One metric's value over the overview's window; `value` is null exactly when `no_data`. */
export interface MetricReading extends MetricInfo {
  value: number | null;
  no_data: boolean;
}

/** `GET /api/monitoring/overview/?minutes=N` */
export interface MonitoringOverview {
  generated_at: string;
  window_minutes: number;
  metrics: MetricReading[];
}

/** One bucket of a series: its start time and value, null when the bucket has no data. */
export interface SeriesPoint {
  t: string;
  v: number | null;
}

/** `GET /api/monitoring/metrics/<name>/series/?minutes=N` */
export interface MetricSeries {
  metric: string;
  label: string;
  unit: string;
  minutes: number;
  bucket_seconds: number;
  aggregation: Aggregation;
  points: SeriesPoint[];
}

export const ENDPOINT_ORDERINGS = [
  "p95_ms",
  "avg_ms",
  "max_ms",
  "error_rate",
  "status_5xx",
  "status_4xx",
  "count",
] as const;
export type EndpointOrdering = (typeof ENDPOINT_ORDERINGS)[number];

/** A route's requests over the window; the averages are null when it had no requests. */
export interface EndpointStat {
  route: string;
  method: string;
  count: number;
  status_4xx: number;
  status_5xx: number;
  error_rate: number | null;
  avg_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
  queries_per_request: number | null;
}

/** `GET /api/monitoring/endpoints/?minutes=N&ordering=...&limit=N` */
export interface EndpointStats {
  minutes: number;
  ordering: EndpointOrdering;
  routes: EndpointStat[];
}

/** DRF's page-number pagination. */
export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type ErrorLevel = "ERROR" | "CRITICAL";

/** A group of logged errors sharing a fingerprint, as the error log lists it. */
export interface ErrorLogEntry {
  id: number;
  level: ErrorLevel;
  logger: string;
  message: string;
  exception_type: string;
  path: string;
  method: string;
  /** The user name of the signed-in user of the request, if any. */
  user: string | null;
  occurrences: number;
  first_seen: string;
  last_seen: string;
  resolved: boolean;
  resolved_at: string | null;
}

/** `GET /api/monitoring/errors/<id>/` */
export interface ErrorLogDetail extends ErrorLogEntry {
  traceback: string;
  fingerprint: string;
}

export const ERROR_ORDERINGS = [
  "-last_seen",
  "last_seen",
  "-first_seen",
  "first_seen",
  "-occurrences",
  "level",
] as const;
export type ErrorOrdering = (typeof ERROR_ORDERINGS)[number];

/**
 * The error log's filters, named as the API's query parameters (and the page's query string), so
 * that a link reproduces the view. Absent means "not filtered".
 */
export interface ErrorFilters {
  q?: string;
  level?: ErrorLevel;
  resolved?: boolean;
  /** ISO 8601: last seen at or after. */
  since?: string;
  /** ISO 8601: last seen at or before. */
  until?: string;
  ordering?: ErrorOrdering;
  page?: number;
  page_size?: number;
}

export type ErrorBulkAction = "resolve" | "unresolve" | "delete";

/** `POST /api/monitoring/errors/bulk/` */
export interface ErrorBulkRequest {
  ids: number[];
  action: ErrorBulkAction;
}

export interface ErrorBulkResult {
  changed: number;
}
