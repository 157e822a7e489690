"""The metric catalogue: every metric the system measures and an alert rule can watch.

The API's metric list, the rule validator, the ingest validation and the dashboard all read this
module (alerts through `alerts.metrics`); nothing else keeps a list of metric names. Any other name
that has received samples through the ingest API is a *custom* metric (a gauge, averaged by
default).
"""

import re
from dataclasses import dataclass

# What a metric may be called (pushed samples are validated against it).
METRIC_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

AGGREGATIONS = ("avg", "min", "max", "sum", "last", "count", "p95")

# What a metric's numbers are, which decides how a window of them is aggregated.
GAUGE = "gauge"  # a level measured from time to time (cpu %, queue length)
COUNTER = "counter"  # events counted per minute (requests, errors); summed over a window
RATIO = "ratio"  # a proportion of two counters (error rate); over a window, the pooled proportion

CATEGORIES = ("system", "api", "database", "errors", "ai", "business", "services", "custom")

# Where a metric's numbers come from; each source is read once per evaluation (selectors).
SAMPLES = "samples"  # MetricSample rows written by this system's collectors
PUSHED = "pushed"  # MetricSample rows pushed through the ingest API by other systems
REQUESTS = "requests"  # RequestRollup: per-minute request aggregates from the middleware
ERRORS = "errors"  # ErrorCount: per-minute error counts from the logging handler
AI = "ai"  # AIUsage rows
USERS = "users"  # ActiveUserMinute rows and users' join dates


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    category: str
    kind: str
    default_aggregation: str
    source: str
    description: str
    # An empty window of a metric this system counts itself (requests, errors, failed tasks) is a
    # true 0; of anything else it is "no data".
    empty_means_zero: bool = False

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
    Metric("cpu_usage", "CPU usage", "%", "system", GAUGE, "avg", SAMPLES,
           "Share of all CPUs busy, sampled every minute."),
    Metric("memory_usage", "Memory usage", "%", "system", GAUGE, "avg", SAMPLES,
           "Share of memory in use, sampled every minute."),
    Metric("disk_usage", "Disk usage", "%", "system", GAUGE, "avg", SAMPLES,
           "Share of the data volume in use, sampled every minute."),
    # api
    Metric("api_response_time", "API response time", "ms", "api", GAUGE, "avg", REQUESTS,
           "Time to answer an API request; avg is the mean over every request in the window."),
    Metric("api_error_rate", "API error rate", "%", "api", RATIO, "avg", REQUESTS,
           "Percent of API requests answered with a 5xx status."),
    Metric("api_request_count", "API requests", "requests", "api", COUNTER, "sum", REQUESTS,
           "API requests served.", empty_means_zero=True),
    # database
    Metric("db_connection_count", "Database connections", "connections", "database", GAUGE, "avg", SAMPLES,
           "Connections to this database (PostgreSQL); no data on SQLite."),
    Metric("db_query_time", "Database query time", "ms", "database", GAUGE, "avg", REQUESTS,
           "Time per database query made while serving API requests."),
    Metric("slow_queries", "Slow queries", "queries", "database", COUNTER, "sum", REQUESTS,
           "Database queries slower than SLOW_QUERY_MS while serving API requests.", empty_means_zero=True),
    # errors
    Metric("error_count", "Errors", "errors", "errors", COUNTER, "sum", ERRORS,
           "Errors logged (level ERROR and above).", empty_means_zero=True),
    Metric("critical_errors", "Critical errors", "errors", "errors", COUNTER, "sum", ERRORS,
           "Errors logged at level CRITICAL.", empty_means_zero=True),
    # ai
    Metric("ai_cost", "AI cost", "USD", "ai", COUNTER, "sum", AI,
           "Cost of AI calls in the window."),
    Metric("ai_cost_daily", "AI cost today", "USD", "ai", COUNTER, "sum", AI,
           "Cost of AI calls since local midnight, whatever the window."),
    Metric("ai_token_usage", "AI tokens", "tokens", "ai", COUNTER, "sum", AI,
           "Input and output tokens of AI calls."),
    Metric("ai_failure_rate", "AI failure rate", "%", "ai", RATIO, "avg", AI,
           "Percent of AI calls that failed."),
    # business
    Metric("active_users", "Active users", "users", "business", GAUGE, "count", USERS,
           "Distinct signed-in users seen in the window.", empty_means_zero=True),
    Metric("signups", "Sign-ups", "users", "business", COUNTER, "sum", USERS,
           "Users who joined in the window.", empty_means_zero=True),
    Metric("subscriptions", "Subscriptions", "subscriptions", "business", COUNTER, "sum", PUSHED,
           "Sum of the subscriptions samples pushed by the billing side in the window."),
    # services
    Metric("redis_memory_usage", "Redis memory", "MB", "services", GAUGE, "avg", SAMPLES,
           "Memory used by Redis; no data without Redis."),
    Metric("redis_connected_clients", "Redis clients", "clients", "services", GAUGE, "avg", SAMPLES,
           "Clients connected to Redis; no data without Redis."),
    Metric("celery_failed_tasks", "Failed tasks", "tasks", "services", COUNTER, "sum", SAMPLES,
           "Celery tasks that failed.", empty_means_zero=True),
    Metric("celery_queue_length", "Queue length", "messages", "services", GAUGE, "avg", SAMPLES,
           "Messages waiting in the default Celery queue."),
    # max: a worker that misses one ping is not gone; "fewer than 1 for 5 minutes" means none
    # answered in any of them.
    Metric("celery_workers", "Celery workers", "workers", "services", GAUGE, "max", SAMPLES,
           "Celery workers answering a ping."),
    Metric("cache_hit_rate", "Cache hit rate", "%", "services", GAUGE, "avg", SAMPLES,
           "Percent of Redis key lookups that hit, sampled every minute; no data without Redis."),
)

CATALOGUE: dict[str, Metric] = {metric.name: metric for metric in _METRICS}


def custom_metric(name: str) -> Metric:
    """The catalogue entry of a metric pushed through the ingest API under a name of its own."""
    return Metric(name, name, "", "custom", GAUGE, "avg", PUSHED, "Custom metric pushed through the API.")


def accepts_pushed_samples(name: str) -> bool:
    """Whether other systems may push samples under `name`: any new name, or a catalogue metric
    that is fed by pushes (subscriptions). Names the system measures itself are refused, so a
    push cannot corrupt them."""
    metric = CATALOGUE.get(name)
    return metric is None or metric.source == PUSHED


def get_metric(name: str) -> Metric | None:
    """The catalogue entry for `name`: a built-in metric, a custom metric that has received
    samples, or None."""
    if name in CATALOGUE:
        return CATALOGUE[name]
    if not isinstance(name, str) or not METRIC_NAME.match(name):
        return None  # not a name any sample can have: no need to ask the database
    from .selectors import has_samples

    if has_samples(name):
        return custom_metric(name)
    return None


def available_metric_names(*, fresh: bool = False) -> list[str]:
    """Every name a rule may use: the catalogue, then custom metrics with samples (`fresh`: not
    from the minute-long cache, for error messages that must be exact)."""
    from .selectors import sample_names

    return [*CATALOGUE, *sorted(set(sample_names(fresh=fresh)) - set(CATALOGUE))]
