"""The metric catalogue: every metric the system measures and an alert rule can watch.

The API's metric list, the rule validator, the ingest validation and the dashboard all read this
module (alerts through `alerts.metrics`); nothing else keeps a list of metric names. Any other name
that has received samples through the ingest API is a *custom* metric (a gauge, averaged by
default); finding those needs the database, so it is done in `selectors` (`get_metric`,
`available_metric_names`). This module is data only and imports nothing of the project.

How a metric is computed is its source's business (`monitoring.sources`): a new metric of a kind
of data already read is one entry here; a new kind of data is one source class and its name.
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

CATEGORIES = ("system", "api", "database", "errors", "ai", "business", "services", "checks", "custom")

# Where a metric's numbers come from: the name of a registered source (`monitoring.sources`),
# each read once per evaluation.
SAMPLES = "samples"  # MetricSample rows written by this system's collectors
PUSHED = "pushed"  # MetricSample rows pushed through the ingest API by other systems
REQUESTS = "requests"  # RequestRollup: per-minute request aggregates from the middleware
ERRORS = "errors"  # ErrorCount: per-minute error counts from the logging handler
AI = "ai"  # AIUsage rows, per minute
AI_TODAY = "ai_today"  # AIUsage rows since local midnight
ACTIVE_USERS = "active_users"  # ActiveUserMinute rows: who was seen in which minute
SIGNUPS = "signups"  # users' join dates
USERS = "users"
CONSTANT = "constant"  # nothing stored: the watchdog metric, 1 in every minute
# The kind of data a source reads, as the API names it (the dry run's `source`): the sources of
# today's AI cost, the users seen and the sign-ups read the same data as others do.
DATA_OF_SOURCE = {AI_TODAY: AI, ACTIVE_USERS: USERS, SIGNUPS: USERS}


@dataclass(frozen=True)
class Placement:
    """Where the dashboard shows a metric: on a status card, or on a performance chart. Cards (and
    charts) come in ascending `order` of their metrics, and the metrics sharing a `title` share
    one card (chart), in ascending order too; without a title it is the metric's own, titled by
    its label."""

    order: int
    title: str = ""


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
    # What the source computes it from, for sources of per-minute columns (requests, errors, AI):
    # a counter's column(s), summed; a ratio's (part, whole), in percent; a gauge's (total,
    # events), the mean per event.
    of: tuple[str, ...] = ()
    card: Placement | None = None  # None: not on the dashboard's status cards
    chart: Placement | None = None  # None: not on the dashboard's performance charts

    @property
    def data(self) -> str:
        """The kind of data it is computed from: samples, pushed, requests, errors, ai or users."""
        return DATA_OF_SOURCE.get(self.source, self.source)

    def _placement(self, placement: Placement | None) -> dict | None:
        return None if placement is None else {"title": placement.title or self.label, "order": placement.order}

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "category": self.category,
            "kind": self.kind,
            "default_aggregation": self.default_aggregation,
            "description": self.description,
            "card": self._placement(self.card),
            "chart": self._placement(self.chart),
        }


_METRICS = (
    # system
    Metric("cpu_usage", "CPU usage", "%", "system", GAUGE, "avg", SAMPLES,
           "Share of all CPUs busy, sampled every minute.",
           card=Placement(10), chart=Placement(40, "CPU and memory")),
    Metric("memory_usage", "Memory usage", "%", "system", GAUGE, "avg", SAMPLES,
           "Share of memory in use, sampled every minute.",
           card=Placement(20), chart=Placement(41, "CPU and memory")),
    Metric("disk_usage", "Disk usage", "%", "system", GAUGE, "avg", SAMPLES,
           "Share of the data volume in use, sampled every minute.",
           card=Placement(30)),
    # api
    Metric("api_response_time", "API response time", "ms", "api", GAUGE, "avg", REQUESTS,
           "Time to answer an API request; avg is the mean over every request in the window.",
           of=("duration_total_ms", "count"),
           card=Placement(40), chart=Placement(10)),
    Metric("api_error_rate", "API error rate", "%", "api", RATIO, "avg", REQUESTS,
           "Percent of API requests answered with a 5xx status.", of=("status_5xx", "count"),
           card=Placement(50), chart=Placement(20)),
    Metric("api_request_count", "API requests", "requests", "api", COUNTER, "sum", REQUESTS,
           "API requests served.", empty_means_zero=True, of=("count",),
           card=Placement(60), chart=Placement(30)),
    # database
    Metric("db_connection_count", "Database connections", "connections", "database", GAUGE, "avg", SAMPLES,
           "Connections to this database (PostgreSQL); no data on SQLite.",
           card=Placement(70, "Database")),
    Metric("db_query_time", "Database query time", "ms", "database", GAUGE, "avg", REQUESTS,
           "Time per database query made while serving API requests.", of=("db_time_ms", "db_queries"),
           card=Placement(71, "Database")),
    Metric("slow_queries", "Slow queries", "queries", "database", COUNTER, "sum", REQUESTS,
           "Database queries slower than SLOW_QUERY_MS while serving API requests.", empty_means_zero=True,
           of=("slow_queries",)),
    # errors
    Metric("error_count", "Errors", "errors", "errors", COUNTER, "sum", ERRORS,
           "Errors logged (level ERROR and above).", empty_means_zero=True, of=("ERROR", "CRITICAL")),
    Metric("critical_errors", "Critical errors", "errors", "errors", COUNTER, "sum", ERRORS,
           "Errors logged at level CRITICAL.", empty_means_zero=True, of=("CRITICAL",)),
    # ai
    Metric("ai_cost", "AI cost", "USD", "ai", COUNTER, "sum", AI,
           "Cost of AI calls in the window.", of=("cost",)),
    Metric("ai_cost_daily", "AI cost today", "USD", "ai", COUNTER, "sum", AI_TODAY,
           "Cost of AI calls since local midnight, whatever the window."),
    Metric("ai_token_usage", "AI tokens", "tokens", "ai", COUNTER, "sum", AI,
           "Input and output tokens of AI calls.", of=("tokens",)),
    Metric("ai_failure_rate", "AI failure rate", "%", "ai", RATIO, "avg", AI,
           "Percent of AI calls that failed.", of=("failures", "calls")),
    # business
    Metric("active_users", "Active users", "users", "business", GAUGE, "count", ACTIVE_USERS,
           "Distinct signed-in users seen in the window.", empty_means_zero=True,
           card=Placement(110)),
    Metric("signups", "Sign-ups", "users", "business", COUNTER, "sum", SIGNUPS,
           "Users who joined in the window.", empty_means_zero=True),
    Metric("subscriptions", "Subscriptions", "subscriptions", "business", COUNTER, "sum", PUSHED,
           "Sum of the subscriptions samples pushed by the billing side in the window."),
    # services
    Metric("redis_memory_usage", "Redis memory", "MB", "services", GAUGE, "avg", SAMPLES,
           "Memory used by Redis; no data without Redis.",
           card=Placement(80, "Redis")),
    Metric("redis_connected_clients", "Redis clients", "clients", "services", GAUGE, "avg", SAMPLES,
           "Clients connected to Redis; no data without Redis.",
           card=Placement(81, "Redis")),
    Metric("celery_failed_tasks", "Failed tasks", "tasks", "services", COUNTER, "sum", SAMPLES,
           "Celery tasks that failed.", empty_means_zero=True,
           card=Placement(92, "Celery")),
    Metric("celery_queue_length", "Queue length", "messages", "services", GAUGE, "avg", SAMPLES,
           "Messages waiting in the default Celery queue.",
           card=Placement(91, "Celery")),
    # max: a worker that misses one ping is not gone; "fewer than 1 for 5 minutes" means none
    # answered in any of them.
    Metric("celery_workers", "Celery workers", "workers", "services", GAUGE, "max", SAMPLES,
           "Celery workers answering a ping.",
           card=Placement(90, "Celery")),
    Metric("cache_hit_rate", "Cache hit rate", "%", "services", GAUGE, "avg", SAMPLES,
           "Percent of Redis key lookups that hit, sampled every minute; no data without Redis.",
           card=Placement(100)),
    Metric("watchdog", "Watchdog", "", "services", GAUGE, "last", CONSTANT,
           "Always 1, in every minute: the built-in Watchdog rule (watchdog > 0, off until switched on) "
           "fires for as long as rules are evaluated, for a dead-man service to expect."),
    # checks (monitoring/checks/): one series per check, labelled check=<name>, kind=<kind>
    Metric("check_up", "Check up", "", "checks", GAUGE, "avg", SAMPLES,
           "1 when a check's last run (or a heartbeat's last look) found it up, 0 when down; avg over a "
           "window is the share of runs up."),
    Metric("check_response_time_ms", "Check response time", "ms", "checks", GAUGE, "avg", SAMPLES,
           "Time an HTTP check took to get its answer (TCP: to connect)."),
    Metric("check_cert_days_left", "Certificate days left", "days", "checks", GAUGE, "min", SAMPLES,
           "Days until the TLS certificate of an https check expires (negative: expired)."),
    Metric("heartbeat_age_seconds", "Heartbeat age", "s", "checks", GAUGE, "max", SAMPLES,
           "Seconds since a heartbeat's last ping."),
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
