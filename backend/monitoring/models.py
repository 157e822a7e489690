from collections.abc import Mapping

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from core.fields import EncryptedJSONField

from . import labels as series_labels

# Upper bounds (ms) of the request latency histogram's buckets; the last bucket is everything above.
# They include OpenTelemetry's default bounds for HTTP durations (0.005 s to 10 s), so that the
# histograms of services exporting over OTLP are kept as they were measured.
LATENCY_BUCKETS_MS = (5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000)
LATENCY_FIELDS = tuple(f"latency_le_{bound}" for bound in LATENCY_BUCKETS_MS) + ("latency_above",)


class MetricSeries(models.Model):
    """One labelled series of a metric: its name and labels (see monitoring/labels.py). Samples
    without labels belong to no series row (their `series` is null): the metric's plain series."""

    name = models.CharField(max_length=64)
    # Sorted by name, no empty values (labels.normalise).
    labels = models.JSONField(default=dict)
    # labels.fingerprint(labels, name): unique, so that concurrent writers share one row.
    fingerprint = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "metric series"
        indexes = [models.Index(fields=["name"], name="metricseries_name")]

    def __str__(self):
        from .labels import describe

        return f"{self.name}{describe(self.labels)}"

    # How often a row that vanished between being found and being locked is looked for again (the
    # retention removing a series unused for the whole retention period at that very moment).
    _ATTEMPTS = 3

    @classmethod
    def ids_for(cls, series: Mapping[str, tuple[str, Mapping[str, str]]]) -> dict[str, int]:
        """The ids of these series (fingerprint -> (name, labels as stored)), creating the missing
        rows. Call it inside the transaction that writes their samples: safe under concurrent
        writers (the unique fingerprint decides which insert creates a row, the others ignore the
        conflict and read it), and on PostgreSQL each row is locked (FOR KEY SHARE, the lock a
        foreign key check takes) until that transaction ends, so the retention cannot delete a
        series between here and its samples being written. Steady state: one query."""
        found = cls._locked_ids(list(series))
        for _ in range(cls._ATTEMPTS):
            missing = [fp for fp in series if fp not in found]
            if not missing:
                return found
            MetricSeries.objects.bulk_create(
                [MetricSeries(name=series[fp][0], labels=dict(series[fp][1]), fingerprint=fp) for fp in missing],
                ignore_conflicts=True,
            )
            found.update(cls._locked_ids(missing))
        raise RuntimeError(f"could not create or find {len(series) - len(found)} metric series")

    @classmethod
    def assign(cls, samples: "list[MetricSample]", labels: "list[Mapping[str, str] | None]") -> None:
        """Point each sample at the series of its (valid) labels, creating the missing series rows
        in one statement; a sample without labels stays in its metric's plain series (series
        null). Call it in the transaction that saves the samples (see ids_for)."""
        keys: list[str | None] = []
        wanted: dict[str, tuple[str, Mapping[str, str]]] = {}
        for sample, given in zip(samples, labels, strict=True):
            stored = series_labels.normalise(given)
            key = series_labels.fingerprint(stored, sample.name) if stored else None
            if key is not None:
                wanted.setdefault(key, (sample.name, stored))
            keys.append(key)
        if not wanted:
            return
        ids = cls.ids_for(wanted)
        for sample, key in zip(samples, keys):
            if key is not None:
                sample.series_id = ids[key]

    @classmethod
    def _locked_ids(cls, fingerprints: list[str]) -> dict[str, int]:
        if not fingerprints:
            return {}
        rows = cls.objects.filter(fingerprint__in=fingerprints).order_by().values_list("fingerprint", "id")
        if connection.vendor != "postgresql":
            return dict(rows)  # SQLite: one writer at a time, the database is locked already
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR KEY SHARE", params)
            return dict(cursor.fetchall())


class MetricSample(models.Model):
    """One measured value of a metric (cpu_usage, a pushed custom metric, ...) at a time."""

    name = models.CharField(max_length=64)
    value = models.FloatField()
    timestamp = models.DateTimeField(default=timezone.now)
    # The labelled series it belongs to; null: the metric's series without labels.
    series = models.ForeignKey(
        MetricSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="samples", db_index=False
    )

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [
            # "the samples of one metric over a time range": how a metric is read.
            models.Index(fields=["name", "timestamp"], name="metricsample_name_time"),
            models.Index(fields=["timestamp"], name="metricsample_time"),
            # "one series over a time range".
            models.Index(fields=["series", "timestamp"], name="metricsample_series_time"),
        ]

    def __str__(self):
        return f"{self.name}={self.value:g} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class RequestRollup(models.Model):
    """The API requests of one service, route and method in one minute, aggregated.

    Rows are only ever added to (an additive upsert per flush), never written per request. Each
    minute and service also has a row for all its routes together (route and method `*`), which is
    what metrics over every route read: 60 rows an hour per service, however many routes and
    requests there are. `service` is blank for this server's own API (labelled SERVICE_NAME), else
    the `service.name` of a service exporting over OTLP; the database time such a service reports
    apart from its requests has a row of blank route and method.
    """

    ALL = "*"
    SELF = ""

    minute = models.DateTimeField()
    service = models.CharField(max_length=128, blank=True, default="")
    route = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    count = models.PositiveIntegerField(default=0)
    status_4xx = models.PositiveIntegerField(default=0)
    status_5xx = models.PositiveIntegerField(default=0)
    duration_total_ms = models.FloatField(default=0)
    duration_max_ms = models.FloatField(default=0)
    db_queries = models.PositiveIntegerField(default=0)
    db_time_ms = models.FloatField(default=0)
    slow_queries = models.PositiveIntegerField(default=0)

    # One column per latency bucket, so that a flush can add to them in SQL.
    latency_le_5 = models.PositiveIntegerField(default=0)
    latency_le_10 = models.PositiveIntegerField(default=0)
    latency_le_25 = models.PositiveIntegerField(default=0)
    latency_le_50 = models.PositiveIntegerField(default=0)
    latency_le_75 = models.PositiveIntegerField(default=0)
    latency_le_100 = models.PositiveIntegerField(default=0)
    latency_le_250 = models.PositiveIntegerField(default=0)
    latency_le_500 = models.PositiveIntegerField(default=0)
    latency_le_750 = models.PositiveIntegerField(default=0)
    latency_le_1000 = models.PositiveIntegerField(default=0)
    latency_le_2500 = models.PositiveIntegerField(default=0)
    latency_le_5000 = models.PositiveIntegerField(default=0)
    latency_le_7500 = models.PositiveIntegerField(default=0)
    latency_le_10000 = models.PositiveIntegerField(default=0)
    latency_above = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-minute", "service", "route", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "service", "route", "method"], name="requestrollup_minute_service_route_method"
            ),
        ]
        indexes = [models.Index(fields=["route", "method", "minute"], name="requestrollup_route_minute")]

    def __str__(self):
        service = f"{self.service} " if self.service else ""
        return f"{service}{self.method} {self.route} at {self.minute:%Y-%m-%d %H:%M}: {self.count} requests"


class ErrorLog(models.Model):
    """A group of logged errors that share a fingerprint (exception type and where it was raised,
    or the message template), with how often and when it happened."""

    ERROR = "ERROR"
    CRITICAL = "CRITICAL"
    LEVELS = [(ERROR, "Error"), (CRITICAL, "Critical")]

    fingerprint = models.CharField(max_length=64, unique=True)
    level = models.CharField(max_length=10, choices=LEVELS)
    logger = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    exception_type = models.CharField(max_length=200, blank=True)
    traceback = models.TextField(blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    # Blank: this server's own errors; else the service.name of a service exporting logs over OTLP.
    service = models.CharField(max_length=128, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurrences = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        indexes = [
            models.Index(fields=["resolved", "last_seen"], name="errorlog_resolved_seen"),
            models.Index(fields=["level", "last_seen"], name="errorlog_level_seen"),
            models.Index(fields=["last_seen"], name="errorlog_seen"),
        ]

    def __str__(self):
        return f"{self.level} {self.exception_type or self.logger}: {self.message[:80]}"


class ErrorCount(models.Model):
    """How many errors of one level, logger and exception type were logged in one minute (feeds
    error_count and critical_errors, labelled `logger` and `exception`)."""

    minute = models.DateTimeField()
    level = models.CharField(max_length=10, choices=ErrorLog.LEVELS)
    # As ErrorLog.service: blank for this server's own errors.
    service = models.CharField(max_length=128, blank=True, default="")
    logger = models.CharField(max_length=200, blank=True, default="")
    # The exception's qualified type name; blank for an error logged without one.
    exception = models.CharField(max_length=200, blank=True, default="")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-minute", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["minute", "level", "service", "logger", "exception"], name="errorcount_minute_service_series"
            )
        ]


class AIUsage(models.Model):
    """Calls to an AI service: what they cost, in tokens and dollars, and whether they worked. A row
    recorded through the API is one call; a service exporting OpenTelemetry's gen_ai metrics sends
    them per minute, so its rows count their calls (`call_count`, 0 on a row of tokens alone)."""

    timestamp = models.DateTimeField(default=timezone.now)
    provider = models.CharField(max_length=64)
    model = models.CharField(max_length=128)
    operation = models.CharField(max_length=128, blank=True)
    # 64-bit: a sum of many calls' tokens (and one large count) must fit where they are stored.
    input_tokens = models.PositiveBigIntegerField(default=0)
    output_tokens = models.PositiveBigIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=6, default=0)
    success = models.BooleanField(default=True)
    call_count = models.PositiveIntegerField(default=1)
    latency_ms = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["timestamp"], name="aiusage_time")]
        verbose_name = "AI usage"
        verbose_name_plural = "AI usage"

    def __str__(self):
        return f"{self.provider}/{self.model} {self.operation} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class ActiveUserMinute(models.Model):
    """A signed-in user made at least one request in this minute (feeds active_users)."""

    minute = models.DateTimeField()
    # A plain id, not a foreign key: rows are flushed in bulk some seconds after the request, and a
    # user deleted meanwhile must not make the whole flush fail.
    user_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["minute", "user_id"], name="activeuserminute_minute_user")]
        indexes = [models.Index(fields=["minute"], name="activeuserminute_minute")]


class PushToken(models.Model):
    """A token that may push telemetry (OTLP, the ingest API) and do nothing else: what a service's
    exporter is given instead of a user's token. Only its SHA-256 is stored; it is shown once, when
    created."""

    PREFIX = "rpt_"

    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters of the token, to tell tokens apart in lists.
    hint = models.CharField(max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"


class OtlpCumulativePoint(models.Model):
    """The last cumulative point of one OTLP series (a sum or a histogram of one producer), from
    which the next one's per-minute delta is worked out. `key` hashes the producer's resource, the
    scope, the metric and the point's attributes."""

    key = models.CharField(max_length=64, unique=True)
    start_unix_nano = models.BigIntegerField()
    time_unix_nano = models.BigIntegerField()
    # A sum's value, or a histogram's count, sum and bucket counts (with their bounds).
    value = models.FloatField(default=0)
    total = models.FloatField(default=0)
    buckets = models.JSONField(default=list, blank=True)
    bounds = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["updated_at"], name="otlpcumulative_updated")]


class DataSourceKind(models.TextChoices):
    # Prometheus and what speaks its HTTP API (Thanos, Mimir, VictoriaMetrics).
    PROMETHEUS = "prometheus", "Prometheus-compatible"


DATA_SOURCE_MIN_TIMEOUT = 1
DATA_SOURCE_MAX_TIMEOUT = 60
# The keys `secrets` may hold: a bearer token, or basic auth's user name and password.
DATA_SOURCE_SECRET_KEYS = ("bearer_token", "username", "password")


class DataSource(models.Model):
    """A Prometheus-compatible HTTP API that rules of kind promql query (monitoring/prometheus.py).
    Its credentials are in `secrets`, encrypted at rest and never shown whole."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=DataSourceKind.choices, default=DataSourceKind.PROMETHEUS)
    # The API's root: http(s)://host:port[/prefix], to which /api/v1/query is added.
    base_url = models.CharField(max_length=500)
    secrets = EncryptedJSONField(default=dict, blank=True)
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(timeout_seconds__gte=DATA_SOURCE_MIN_TIMEOUT)
                & models.Q(timeout_seconds__lte=DATA_SOURCE_MAX_TIMEOUT),
                name="datasource_timeout_range",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DataSourceKind.values), name="datasource_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class CheckKind(models.TextChoices):
    HTTP = "http", "HTTP(S)"
    TCP = "tcp", "TCP"
    HEARTBEAT = "heartbeat", "Heartbeat"


class CheckStatus(models.TextChoices):
    UP = "up", "Up"
    DOWN = "down", "Down"
    UNKNOWN = "unknown", "Unknown"


CHECK_MIN_INTERVAL = 30
CHECK_MAX_INTERVAL = 86400
CHECK_MIN_TIMEOUT = 1
CHECK_MAX_TIMEOUT = 60
CHECK_METHODS = ("GET", "HEAD", "POST")


def _new_ping_key():
    import uuid

    return uuid.uuid4()


class Check(models.Model):
    """An uptime check (monitoring/checks/): an HTTP(S) request or a TCP connection made every
    `interval_seconds`, or a heartbeat that a job pings at /ping/<ping_key>/. Each is a series
    (labels check=<name>, kind=<kind>) of check_up, check_response_time_ms, check_cert_days_left
    and heartbeat_age_seconds that ordinary rules watch."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=CheckKind.choices)
    is_active = models.BooleanField(default=True)
    # http and tcp
    interval_seconds = models.PositiveIntegerField(default=60)
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    # http
    url = models.CharField(max_length=2000, blank=True, default="")
    method = models.CharField(max_length=8, default="GET")
    headers = models.JSONField(default=dict, blank=True)
    expected_status = models.CharField(max_length=200, blank=True, default="200-299")
    body_contains = models.CharField(max_length=1000, blank=True, default="")
    body_regex = models.BooleanField(default=False)
    follow_redirects = models.BooleanField(default=True)
    # False: a certificate that cannot be verified (self-signed, expired, wrong name) is accepted;
    # its days left are reported either way.
    verify_tls = models.BooleanField(default=True)
    # tcp
    host = models.CharField(max_length=255, blank=True, default="")
    port = models.PositiveIntegerField(null=True, blank=True)
    # heartbeat: expected every period_seconds, or on the cron schedule in time_zone; late after grace
    ping_key = models.UUIDField(default=_new_ping_key, unique=True, editable=False)
    period_seconds = models.PositiveIntegerField(default=86400)
    grace_seconds = models.PositiveIntegerField(default=3600)
    cron = models.CharField(max_length=100, blank=True, default="")
    time_zone = models.CharField(max_length=64, default="UTC")
    # the default rule made with the check ("<name> is down"), if any; an id, since monitoring
    # knows nothing of alerts
    rule_id = models.BigIntegerField(null=True, blank=True)
    # state, written by the runners and the ping views
    status = models.CharField(max_length=8, choices=CheckStatus.choices, default=CheckStatus.UNKNOWN)
    status_since = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_response_time_ms = models.FloatField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    cert_days_left = models.IntegerField(null=True, blank=True)
    last_ping_at = models.DateTimeField(null=True, blank=True)
    last_start_at = models.DateTimeField(null=True, blank=True)
    last_fail_at = models.DateTimeField(null=True, blank=True)
    # when the check is next due; claimed by moving it forward (compare-and-set)
    next_run_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["is_active", "next_run_at"], name="check_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=CheckKind.values), name="check_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(interval_seconds__gte=CHECK_MIN_INTERVAL), name="check_interval_min"
            ),
            models.CheckConstraint(
                condition=models.Q(timeout_seconds__gte=CHECK_MIN_TIMEOUT)
                & models.Q(timeout_seconds__lte=CHECK_MAX_TIMEOUT),
                name="check_timeout_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def series_labels(self) -> dict[str, str]:
        return {"check": self.name, "kind": self.kind}


class CheckResult(models.Model):
    """One run of an HTTP or TCP check, or one evaluation of a heartbeat (and each ping)."""

    check_ref = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="results", db_column="check_id")
    at = models.DateTimeField(default=timezone.now)
    up = models.BooleanField()
    response_time_ms = models.FloatField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    cert_days_left = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # "one check over a time range": uptime, recent runs, results.
            models.Index(fields=["check_ref", "at"], name="checkresult_check_time"),
            models.Index(fields=["at"], name="checkresult_time"),
        ]

    def __str__(self):
        return f"{self.check_ref_id} {'up' if self.up else 'down'} at {self.at:%Y-%m-%d %H:%M:%S}"
