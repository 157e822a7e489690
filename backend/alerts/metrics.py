"""The metric catalogue: every metric an alert rule can watch, in one place.

The API's metric list, the rule validator, the model choices and the dashboard all read this
module; nothing else keeps a list of metric names. Any other name that has received samples through
the ingest API is a *custom* metric (a gauge, averaged by default).
"""

from dataclasses import dataclass

AGGREGATIONS = ("avg", "min", "max", "sum", "last", "count", "p95")

# What a metric's numbers are, which decides how a window of them is aggregated.
GAUGE = "gauge"  # a level measured from time to time (cpu %, queue length)
COUNTER = "counter"  # events counted per minute (requests, errors); summed over a window
RATIO = "ratio"  # a proportion of two counters (error rate); over a window, the pooled proportion

CATEGORIES = ("system", "api", "database", "errors", "ai", "business", "services", "custom")


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    category: str
    kind: str
    default_aggregation: str
    # Where the numbers come from (see MetricCollector): "samples", "requests", "errors", "ai",
    # "users".
    source: str
    description: str

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "category": self.category,
            "kind": self.kind,
            "default_aggregation": self.default_aggregation,
            "description": self.description,
        }


_METRICS = (
    # system
    Metric("cpu_usage", "CPU usage", "%", "system", GAUGE, "avg", "samples",
           "Share of all CPUs busy, sampled every minute."),
    Metric("memory_usage", "Memory usage", "%", "system", GAUGE, "avg", "samples",
           "Share of memory in use, sampled every minute."),
    Metric("disk_usage", "Disk usage", "%", "system", GAUGE, "avg", "samples",
           "Share of the data volume in use, sampled every minute."),
    # api
    Metric("api_response_time", "API response time", "ms", "api", GAUGE, "avg", "requests",
           "Time to answer an API request; avg is the mean over all requests in the window."),
    Metric("api_error_rate", "API error rate", "%", "api", RATIO, "avg", "requests",
           "Percent of API requests answered with a 5xx status."),
    Metric("api_request_count", "API requests", "requests", "api", COUNTER, "sum", "requests",
           "API requests served."),
    # database
    Metric("db_connection_count", "Database connections", "connections", "database", GAUGE, "avg", "samples",
           "Open connections to this database (PostgreSQL); no data on SQLite."),
    Metric("db_query_time", "Database query time", "ms", "database", GAUGE, "avg", "requests",
           "Time per database query made while serving API requests."),
    Metric("slow_queries", "Slow queries", "queries", "database", COUNTER, "sum", "requests",
           "Database queries slower than SLOW_QUERY_MS while serving API requests."),
    # errors
    Metric("error_count", "Errors", "errors", "errors", COUNTER, "sum", "errors",
           "Errors logged (level ERROR and above)."),
    Metric("critical_errors", "Critical errors", "errors", "errors", COUNTER, "sum", "errors",
           "Errors logged at level CRITICAL."),
    # ai
    Metric("ai_cost", "AI cost", "USD", "ai", COUNTER, "sum", "ai",
           "Cost of AI calls in the window."),
    Metric("ai_cost_daily", "AI cost today", "USD", "ai", COUNTER, "sum", "ai",
           "Cost of AI calls since local midnight, whatever the window."),
    Metric("ai_token_usage", "AI tokens", "tokens", "ai", COUNTER, "sum", "ai",
           "Input and output tokens of AI calls."),
    Metric("ai_failure_rate", "AI failure rate", "%", "ai", RATIO, "avg", "ai",
           "Percent of AI calls that failed."),
    # business
    Metric("active_users", "Active users", "users", "business", GAUGE, "count", "users",
           "Distinct signed-in users seen in the window."),
    Metric("signups", "Sign-ups", "users", "business", COUNTER, "sum", "users",
           "Users who joined in the window."),
    Metric("subscriptions", "Subscriptions", "subscriptions", "business", COUNTER, "sum", "samples",
           "Sum of the subscriptions samples pushed by the billing side."),
    # services
    Metric("redis_memory_usage", "Redis memory", "MB", "services", GAUGE, "avg", "samples",
           "Memory used by Redis; no data without Redis."),
    Metric("redis_connected_clients", "Redis clients", "clients", "services", GAUGE, "avg", "samples",
           "Clients connected to Redis; no data without Redis."),
    Metric("celery_failed_tasks", "Failed tasks", "tasks", "services", COUNTER, "sum", "samples",
           "Celery tasks that failed."),
    Metric("celery_queue_length", "Queue length", "messages", "services", GAUGE, "avg", "samples",
           "Messages waiting in the default Celery queue."),
    Metric("celery_workers", "Celery workers", "workers", "services", GAUGE, "avg", "samples",
           "Workers answering a ping."),
    Metric("cache_hit_rate", "Cache hit rate", "%", "services", RATIO, "avg", "samples",
           "Percent of Redis key lookups that hit; no data without Redis."),
)

CATALOGUE: dict[str, Metric] = {metric.name: metric for metric in _METRICS}


def custom_metric(name: str) -> Metric:
    """The catalogue entry of a metric pushed through the ingest API under a name of its own."""
    return Metric(name, name, "", "custom", GAUGE, "avg", "samples", "Custom metric pushed through the API.")


def get_metric(name: str) -> Metric | None:
    """The catalogue entry for `name`: a built-in metric, a custom metric that has received
    samples, or None."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    from monitoring.selectors import sample_names

    if name in sample_names():
        return custom_metric(name)
    return None


def available_metric_names() -> list[str]:
    """Every name a rule may use: the catalogue, then custom metrics with samples."""
    from monitoring.selectors import sample_names

    return [*CATALOGUE, *sorted(set(sample_names()) - set(CATALOGUE))]
