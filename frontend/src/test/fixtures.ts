/** Builders of API answers for component tests (never used by the app itself). */
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
      return { ...row, description: `${row.label}.`, value: value ?? null, no_data: value === undefined };
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
  };
}

export function route(overrides: Partial<EndpointStat> = {}): EndpointStat {
  return {
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
