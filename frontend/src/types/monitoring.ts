/**
 * Types of the monitoring API (`/api/monitoring/...`) and the health probe: the schema's types
 * (`api.gen.ts`), narrowed where the schema says less than the API promises.
 */
import type { OrderingField, OrderingOf, Schemas, SubsetOf } from "./api";

/** The outcome of one of the health probe's checks. */
export type CheckStatus = "ok" | "unavailable";

/**
 * `GET /health/` (outside the API's schema): 200 with status "ok" when every check passes, 503 with
 * "unavailable" when one does not. The backend checks `database`, `broker` and `cache` today; more
 * checks may be added.
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

/** The schema types a metric's kind as any text; the catalogue gives these. */
export type MetricKind = "gauge" | "counter" | "ratio";
export type Aggregation = Schemas["AggregationEnum"];

/** Where the catalogue places a metric on the dashboard: a card or chart titled `title`, shared by
 * the metrics with that title, in ascending `order`. */
export type Placement = Schemas["Placement"];

/** One metric's value over the overview's window; `value` is null exactly when `no_data`. `unit` is
 * "%", "ms", "MB", "USD", a noun such as "requests", or "" for custom metrics; `card` and `chart`
 * its places on the dashboard (null: not shown there). */
export type MetricReading = Omit<Schemas["OverviewMetric"], "kind" | "default_aggregation"> & {
  kind: MetricKind;
  default_aggregation: Aggregation;
};

/** A metric as the catalogue describes it. */
export type MetricInfo = Omit<MetricReading, "value" | "no_data">;

/** `GET /api/monitoring/overview/?minutes=N` */
export type MonitoringOverview = Omit<Schemas["Overview"], "metrics"> & { metrics: MetricReading[] };

/** One bucket of a series: its start time and value, null when the bucket has no data. */
export type SeriesPoint = Schemas["SeriesPoint"];

/** `GET /api/monitoring/metrics/<name>/series/?minutes=N`: `points` are every selected series
 * together; split by a label, `series` holds the top series (largest first), each with its value of
 * that label. */
export type MetricSeries = Omit<Schemas["Series"], "aggregation"> & { aggregation: Aggregation };

/** One line of a split chart: the series' value of the split label ({} without it), its points. */
export type SplitSeries = Schemas["SplitSeries"];

/** What a chart asks the series endpoint for: the range, label filters and an optional split. */
export interface SeriesQuery {
  minutes: number;
  /** Label filters, `name:value` each (exact match; all must hold). */
  labels?: readonly string[];
  /** A label name: the top series by it, as separate lines. */
  splitBy?: string;
  /** With splitBy: how many series (the API's default 5, at most 20). */
  top?: number;
}

/** `GET /api/monitoring/metrics/<name>/labels/`: each label name the metric's series had in the last
 * day with its values, sorted (at most 100 each; `truncated` names those that had more). */
export type MetricLabels = Schemas["MetricLabels"];

/** What the route ranking can be ordered by (`?ordering=`). */
export type EndpointOrdering = OrderingField<"monitoring_endpoints_retrieve">;

/** A route's requests over the window; the averages are null when it had no requests. */
export type EndpointStat = Schemas["RouteStats"];

/** `GET /api/monitoring/endpoints/?minutes=N&ordering=...&limit=N` */
export type EndpointStats = Omit<Schemas["EndpointStats"], "ordering"> & { ordering: EndpointOrdering };

/** DRF's page-number pagination (the schema has one such type per list). */
export type Paginated<T> = Omit<Schemas["PaginatedAlertRuleList"], "results"> & { results: T[] };

export type ErrorLevel = Schemas["LevelEnum"];

/** A group of logged errors sharing a fingerprint, as the error log lists it; `user` is the user
 * name of the signed-in user of the request, if any. */
export type ErrorLogEntry = Schemas["ErrorLogList"];

/** `GET /api/monitoring/errors/<id>/` */
export type ErrorLogDetail = Schemas["ErrorLogDetail"];

/** The error log's orders the dashboard offers. */
export type ErrorOrdering = SubsetOf<
  OrderingOf<"monitoring_errors_list">,
  "-last_seen" | "last_seen" | "-first_seen" | "first_seen" | "-occurrences" | "level"
>;

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

export type ErrorBulkAction = Schemas["ErrorBulkActionEnum"];

/** `POST /api/monitoring/errors/bulk/` */
export type ErrorBulkRequest = Schemas["ErrorBulkRequest"];

export type ErrorBulkResult = Schemas["Changed"];

/** A push token as listed: never the token itself (`GET /api/monitoring/push-tokens/`). */
export type PushToken = Schemas["PushToken"];
/** The answer to creating one: the only time the token is shown. */
export type CreatedPushToken = Schemas["CreatedPushToken"];
