"""The benchmark sections of `make bench`; each takes a work folder and a `report(name, value)`."""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _load_with_wrk(url: str, token: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"the endpoint answered errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


_PY_LOADER = """
import http.client, sys, time
port, token, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
deadline, done = time.monotonic() + seconds, 0
while time.monotonic() < deadline:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/auth/me/", headers={"Authorization": "Bearer " + token})
    response = conn.getresponse(); response.read(); conn.close()
    assert response.status == 200, response.status
    done += 1
print(done)
"""


def _load_with_python(port: int, token: str, seconds: int) -> float:
    loaders = [
        subprocess.Popen(
            [sys.executable, "-c", _PY_LOADER, str(port), token, str(seconds)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    return sum(int(p.communicate()[0]) for p in loaders) / seconds


def middleware(workdir: Path, report) -> None:
    """Throughput of one minimal authenticated DRF endpoint under gunicorn, with the request
    metrics middleware and without it, loaded alternately from another process."""
    from django.contrib.auth import get_user_model

    from core.testing import api_key

    user = get_user_model().objects.create_user("bench-middleware")
    token = api_key(user)
    servers = {}
    for enabled in (True, False):
        port = _free_port()
        env = dict(os.environ, REQUEST_METRICS_ENABLED=str(enabled).lower(), TELEMETRY_FLUSH_INTERVAL_SECONDS="5")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "resee.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--no-control-socket", "--log-level", "warning"],
            cwd=BACKEND, env=env, start_new_session=True,
        )
        servers[enabled] = (port, process)
    use_wrk = shutil.which("wrk") is not None
    report("load_generator", "wrk" if use_wrk else "python")
    try:
        for port, _ in servers.values():
            _wait_until_up(f"http://127.0.0.1:{port}/health/")

        def load(enabled: bool, seconds: int) -> float:
            port = servers[enabled][0]
            if use_wrk:
                return _load_with_wrk(f"http://127.0.0.1:{port}/api/auth/me/", token, seconds)
            return _load_with_python(port, token, seconds)

        for enabled in (True, False):
            load(enabled, 2)  # warm up
        # Short runs in an ABBA pattern: drift in the machine's speed hits both variants alike.
        results = {True: [], False: []}
        for enabled in [True, False, False, True] * 6:
            results[enabled].append(load(enabled, 2))
    finally:
        for _, process in servers.values():
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    with_mw, without_mw = statistics.median(results[True]), statistics.median(results[False])
    report("requests_per_second_with_middleware", with_mw, f"runs: {', '.join(f'{r:.0f}' for r in results[True])}")
    report("requests_per_second_without_middleware", without_mw,
           f"runs: {', '.join(f'{r:.0f}' for r in results[False])}")
    report("middleware_throughput_ratio", with_mw / without_mw, "target >= 0.95")


def _record_requests(total: int, end: datetime, routes: int = 50) -> None:
    """`total` requests spread over the hour before `end`, across `routes` routes and two methods,
    recorded through the middleware's buffer and flushed as the web processes do."""
    from monitoring import sinks, telemetry

    start = end - timedelta(minutes=60)
    step = timedelta(minutes=60) / total
    for i in range(total):
        telemetry.buffer.record_request(
            when=start + step * i,
            route=f"/api/bench/{i % routes}/",
            method="GET" if i % 3 else "POST",
            status=500 if i % 50 == 0 else 200,
            duration_ms=float(5 + i % 200),
            db_queries=2,
            db_time_ms=0.8,
        )
    batch = telemetry.buffer.take(everything=True)
    sinks.write_requests(batch.requests, batch.users)


def metric_reads(workdir: Path, report) -> None:
    """api_error_rate over 60 minutes with 1,000,000 requests recorded, against 1,000."""
    from alerts.services.metric_collector import MetricCollector
    from monitoring.models import RequestRollup

    busy_end = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    quiet_end = busy_end - timedelta(days=1)
    started = time.monotonic()
    _record_requests(1_000_000, busy_end)
    _record_requests(1_000, quiet_end)
    report("record_1000000_requests_seconds", time.monotonic() - started, "buffer + flush")
    report("request_rollup_rows", RequestRollup.objects.count())

    timings = {busy_end: [], quiet_end: []}
    values = {}
    for _ in range(30):
        for end in (busy_end, quiet_end):
            begun = time.perf_counter()
            values[end] = MetricCollector(now=end + timedelta(seconds=30)).get_metric_value("api_error_rate", 60)
            timings[end].append(time.perf_counter() - begun)
    busy, quiet = statistics.median(timings[busy_end]), statistics.median(timings[quiet_end])
    report("api_error_rate_1000000_requests", values[busy_end])
    report("api_error_rate_1000_requests", values[quiet_end])
    report("read_ms_1000000_requests", busy * 1000)
    report("read_ms_1000_requests", quiet * 1000)
    report("read_ratio_1000000_vs_1000", busy / quiet, "target < 1.5")


def _an_hour_of_telemetry(end: datetime) -> None:
    """Samples of every sampled metric once a minute, error counts, AI calls, active users and
    sign-ups, for the hour before `end` (the requests come from _record_requests)."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from monitoring.catalogue import CATALOGUE, PUSHED, SAMPLES
    from monitoring.models import ActiveUserMinute, AIUsage, ErrorCount, MetricSample

    minutes = [end - timedelta(minutes=m) for m in range(60, 0, -1)]
    sampled = [m.name for m in CATALOGUE.values() if m.source in (SAMPLES, PUSHED)]
    MetricSample.objects.bulk_create(
        [MetricSample(name=name, value=float((i * 7) % 100), timestamp=t + timedelta(seconds=5))
         for i, t in enumerate(minutes) for name in sampled],
        batch_size=2000,
    )
    ErrorCount.objects.bulk_create([ErrorCount(minute=t, level="ERROR", count=i % 4) for i, t in enumerate(minutes)])
    AIUsage.objects.bulk_create(
        [AIUsage(timestamp=t + timedelta(seconds=s), provider="openai", model="gpt", input_tokens=800,
                 output_tokens=200, cost_usd=Decimal("0.004"), success=s % 17 != 0)
         for t in minutes for s in range(0, 60, 2)],
        batch_size=2000,
    )
    ActiveUserMinute.objects.bulk_create(
        [ActiveUserMinute(minute=t, user_id=u) for i, t in enumerate(minutes) for u in range(i % 50, i % 50 + 40)],
        batch_size=2000,
    )
    User = get_user_model()
    User.objects.bulk_create([User(username=f"signup-{i}", date_joined=t) for i, t in enumerate(minutes[::3])])


def _rules(count: int, prefix: str) -> list[int]:
    """`count` rules over the whole catalogue, every window from 1 to 60 and every aggregation;
    about one in ten breaching (so some alerts stay open), the rest quiet. Returns their ids."""
    from alerts.models import AlertRule
    from monitoring.catalogue import AGGREGATIONS, CATALOGUE

    names = list(CATALOGUE)
    aggregations = ["", *AGGREGATIONS]
    rules = []
    for i in range(count):
        breaching = i % 10 == 0
        rules.append(AlertRule(
            name=f"{prefix} {i}", metric_name=names[i % len(names)], condition="gte" if breaching else "gt",
            threshold_value=-1e9 if breaching else 1e12, time_window_minutes=1 + (i * 7) % 60,
            aggregation=aggregations[i % len(aggregations)], severity="low", is_active=True,
        ))
    AlertRule.objects.bulk_create(rules, batch_size=1000)
    return list(AlertRule.objects.filter(name__startswith=f"{prefix} ").values_list("id", flat=True))


def ticks(workdir: Path, report) -> None:
    """A steady-state evaluation tick (no state changes) over 500 and over 5,000 active rules, on an
    hour of telemetry with 1,000,000 requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.models import AlertRule
    from alerts.services.alert_engine import AlertEngine

    end = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    _record_requests(1_000_000, end)
    _an_hour_of_telemetry(end)
    # Two sets made the same way, so that 500 rules spread over metrics, windows and aggregations
    # as the 5,000 do.
    rule_sets = {500: _rules(500, "small set"), 5000: _rules(5000, "large set")}
    now = end + timedelta(seconds=30)
    first = AlertEngine(now=now).run()  # every rule reaches its steady state
    report("first_tick_alerts_opened", first.counts["fired"])

    def activate(count):
        AlertRule.objects.update(is_active=False)
        AlertRule.objects.filter(id__in=rule_sets[count]).update(is_active=True)

    timings = {500: [], 5000: []}
    queries = {}
    for count in [500, 5000, 5000, 500] * 2:
        activate(count)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            tick = AlertEngine(now=now).run()
            timings[count].append(time.perf_counter() - started)
        assert tick.counts["state_changes"] == 0, tick.counts
        queries[count] = [q["sql"] for q in captured.captured_queries]

    t500, t5000 = statistics.median(timings[500]), statistics.median(timings[5000])
    report("tick_seconds_500", t500)
    report("tick_seconds_5000", t5000)
    report("tick_scaling_ratio", t5000 / t500, "target <= 3.0")
    report("tick_share_of_interval_5000", t5000 / 60, "target < 0.05")
    for count in (500, 5000):
        reads = sum(1 for sql in queries[count] if sql.lstrip().upper().startswith("SELECT"))
        report(f"sql_reads_per_tick_{count}", reads)
        report(f"sql_statements_per_tick_{count}", len(queries[count]))
    if os.environ.get("BENCH_SHOW_SQL"):
        for count in (500, 5000):
            print(f"-- {count} rules", *(q[:150] for q in queries[count]), sep="\n")


def _labelled_samples(end: datetime, metrics: int, series: int, minutes: int = 60) -> list[str]:
    """`metrics` pushed metrics of `series` series each (label `queue`), one sample a minute for
    the `minutes` before `end`. Returns the metric names."""
    from monitoring.labels import fingerprint
    from monitoring.models import MetricSample, MetricSeries

    names = [f"bench_queue_depth_{m}" for m in range(metrics)]
    MetricSeries.objects.bulk_create(
        [MetricSeries(name=name, labels={"queue": f"q{q}"}, fingerprint=fingerprint({"queue": f"q{q}"}, name))
         for name in names for q in range(series)],
        batch_size=2000,
    )
    ids = {(row.name, row.labels["queue"]): row.id for row in MetricSeries.objects.filter(name__in=names)}
    MetricSample.objects.bulk_create(
        [MetricSample(name=name, series_id=ids[(name, f"q{q}")], value=float((m * 7 + q * 13) % 100),
                      timestamp=end - timedelta(minutes=m) + timedelta(seconds=5))
         for name in names for q in range(series) for m in range(minutes, 0, -1)],
        batch_size=5000,
    )
    return names


def grouped_ticks(workdir: Path, report) -> None:
    """A steady-state tick of 5,000 rules grouped by a label with 10 series each (50,000 group
    evaluations), beside the same 5,000 rules without group_by and 500 grouped rules, on the
    same samples: the grouped tick's time, its ratio to the ungrouped one, and its SQL reads
    (independent of the rule count)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.models import AlertRule
    from alerts.services.alert_engine import AlertEngine

    end = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    names = _labelled_samples(end, metrics=500, series=10)

    def rules(count: int, prefix: str, group_by: list[str]) -> list[int]:
        AlertRule.objects.bulk_create([
            AlertRule(name=f"{prefix} {i}", metric_name=names[i % len(names)], condition="gt",
                      threshold_value=1e12, time_window_minutes=1 + (i * 7) % 30, aggregation="avg",
                      severity="low", is_active=True, group_by=group_by, max_series_per_rule=100)
            for i in range(count)
        ], batch_size=1000)
        return list(AlertRule.objects.filter(name__startswith=f"{prefix} ").values_list("id", flat=True))

    rule_sets = {"grouped_5000": rules(5000, "grouped large", ["queue"]),
                 "grouped_500": rules(500, "grouped small", ["queue"]),
                 "ungrouped_5000": rules(5000, "ungrouped large", [])}
    now = end + timedelta(seconds=30)

    def activate(name):
        AlertRule.objects.update(is_active=False)
        AlertRule.objects.filter(id__in=rule_sets[name]).update(is_active=True)

    for name in rule_sets:  # every rule and group reaches its steady state
        activate(name)
        AlertEngine(now=now).run()
    _settle(connection)
    prom = _prometheus_beside(workdir, names, series=10, report=report)
    timings: dict[str, list[float]] = {name: [] for name in rule_sets}
    prom_timings: dict[str, list[float]] = {"grouped": [], "ungrouped": []}
    reads: dict[str, int] = {}
    try:
        if prom is not None:
            prom.next_evaluations()  # the first evaluation after start-up loads the blocks: not counted
            seen = prom.series_count(f"avg_over_time({names[0]}[5m])")
            assert seen == 10, f"Prometheus sees {seen} series of {names[0]}, not the 10 backfilled"
        for _ in range(5):  # Prometheus' evaluation times vary more than the engine's: five of each
            for name in ["grouped_5000", "ungrouped_5000", "grouped_500"]:
                activate(name)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    tick = AlertEngine(now=now).run()
                    timings[name].append(time.perf_counter() - started)
                assert tick.counts["state_changes"] == 0, tick.counts
                reads[name] = sum(1 for q in captured.captured_queries if _is_read(q["sql"]))
            if prom is not None:
                for group, seconds in prom.next_evaluations().items():
                    prom_timings[group].append(seconds)
    finally:
        if prom is not None:
            prom.stop()
    grouped, ungrouped = statistics.median(timings["grouped_5000"]), statistics.median(timings["ungrouped_5000"])
    report("grouped_tick_seconds_5000x10", grouped)
    report("ungrouped_tick_seconds_5000_same_data", ungrouped)
    report("grouped_vs_ungrouped_ratio", grouped / ungrouped)
    report("grouped_tick_seconds_500x10", statistics.median(timings["grouped_500"]))
    report("sql_reads_per_grouped_tick_500", reads["grouped_500"])
    report("sql_reads_per_grouped_tick_5000", reads["grouped_5000"], "target: equal to the 500 rules' reads")
    if prom is not None:
        prom_grouped, prom_ungrouped = (statistics.median(prom_timings[g]) for g in ("grouped", "ungrouped"))
        report("prometheus_grouped_eval_seconds_5000x10", prom_grouped)
        report("prometheus_ungrouped_eval_seconds_5000", prom_ungrouped)
        report("grouped_tick_vs_prometheus_ratio", grouped / prom_grouped, "target < 1.0")
        report("ungrouped_tick_vs_prometheus_ratio", ungrouped / prom_ungrouped, "target < 1.0")


def _settle(connection) -> None:
    """PostgreSQL: statistics and the visibility map of the tables just filled, as autovacuum keeps
    them in a database that has been running (without them the planner reads by guesswork, and an
    aggregate an index alone could answer visits the table too)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _is_read(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


def _prometheus_beside(workdir: Path, names: list[str], *, series: int, report):
    """Prometheus started over the same series (label `queue`, one sample a minute) with the
    grouped_ticks rules as alerting rules: paused, ready for `next_evaluations()`. None (and a
    line saying why) when Prometheus is not installed."""
    from bench import prometheus

    missing = prometheus.available()
    if missing:
        print(f"prometheus comparison skipped: {missing}", flush=True)
        return None
    print(f"beside: {prometheus.version()}", flush=True)
    moments = prometheus.minutes_around(datetime.now(UTC), before=60, after=15)
    prom = prometheus.Prometheus(workdir / "prometheus")
    prom.backfill(
        (name, {"queue": f"q{q}"}, float((m * 7 + q * 13) % 100), moment)
        for name in names for q in range(series) for m, moment in enumerate(moments)
    )
    windows = [1 + (i * 7) % 30 for i in range(5000)]
    prom.start({
        "grouped": [prometheus.Rule(names[i % len(names)], windows[i], 1e12, by=("queue",)) for i in range(5000)],
        "ungrouped": [prometheus.Rule(names[i % len(names)], windows[i], 1e12) for i in range(5000)],
    })
    return prom


def _post(port: int, path: str, body: bytes, headers: dict[str, str]) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _otlp_export(series: int, *, counter: bool, value: float, start_nanos: int) -> bytes:
    """An OTLP metrics export of `series` series of one metric (as an SDK sends one: one resource,
    one scope, one data point per attribute set): a gauge, or a cumulative monotonic sum."""
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.metrics.v1 import metrics_pb2

    request = ExportMetricsServiceRequest()
    resource = request.resource_metrics.add()
    resource.resource.attributes.add(key="service.name", value=AnyValue(string_value="bench"))
    metric = resource.scope_metrics.add().metrics.add()
    now = time.time_ns()
    if counter:
        metric.name = "jobs.processed"
        metric.sum.aggregation_temporality = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE
        metric.sum.is_monotonic = True
        points = metric.sum.data_points
    else:
        metric.name = "queue.depth"
        points = metric.gauge.data_points
    for i in range(series):
        point = points.add(start_time_unix_nano=start_nanos, time_unix_nano=now, as_double=value + i)
        point.attributes.append(KeyValue(key="queue", value=AnyValue(string_value=f"q{i}")))
    return request.SerializeToString()


def ingest(workdir: Path, report) -> None:
    """What 1,000 samples cost through gunicorn: 1,000 single-sample JSON requests, one JSON batch
    of 1,000, and one OTLP export of 1,000 series (a gauge, and a cumulative counter after its
    first export, so that its deltas are worked out against the kept points), sent one after the
    other from another process's point of view (each request on a new connection)."""
    import json

    from django.contrib.auth import get_user_model

    from core.testing import api_key
    from monitoring.models import MetricSample
    from monitoring.services import create_push_token

    user = get_user_model().objects.create_superuser("bench-ingest", password=None)
    token = api_key(user)
    push = create_push_token("bench")[1]
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "resee.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--no-control-socket", "--log-level", "warning"],
        cwd=BACKEND, env=dict(os.environ), start_new_session=True,
    )
    json_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    otlp_headers = {"Content-Type": "application/x-protobuf", "Authorization": f"Bearer {push}"}
    samples = [{"name": "queue_depth", "value": i, "labels": {"queue": f"q{i}"}} for i in range(1000)]
    singles = [json.dumps(sample).encode() for sample in samples]
    batch = json.dumps(samples).encode()
    start = time.time_ns() - 60 * 10**9

    def timed(send) -> float:
        begun = time.perf_counter()
        send()
        return time.perf_counter() - begun

    def send_singles():
        statuses = {_post(port, "/api/monitoring/metrics/", body, json_headers) for body in singles}
        assert statuses == {201}, statuses

    def send_batch():
        assert _post(port, "/api/monitoring/metrics/", batch, json_headers) == 201

    exports = iter(range(1, 10**6))

    def send_otlp(counter: bool):
        body = _otlp_export(1000, counter=counter, value=float(next(exports) * 1000), start_nanos=start)
        assert _post(port, "/otlp/v1/metrics", body, otlp_headers) == 200

    try:
        _wait_until_up(f"http://127.0.0.1:{port}/health/")
        send_batch()
        send_otlp(counter=True)  # warm up; the counter's first points set its baseline
        results: dict[str, list[float]] = {"singles": [], "batch": [], "otlp_gauge": [], "otlp_counter": []}
        for _ in range(3):
            results["singles"].append(timed(send_singles))
            for _ in range(3):
                results["batch"].append(timed(send_batch))
                results["otlp_gauge"].append(timed(lambda: send_otlp(counter=False)))
                results["otlp_counter"].append(timed(lambda: send_otlp(counter=True)))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    medians = {name: statistics.median(times) for name, times in results.items()}
    report("ingest_1000_single_requests_seconds", medians["singles"])
    report("ingest_json_batch_1000_seconds", medians["batch"])
    report("ingest_otlp_gauge_1000_series_seconds", medians["otlp_gauge"])
    report("ingest_otlp_counter_1000_series_seconds", medians["otlp_counter"], "deltas against the kept points")
    report("ingest_batch_vs_single_ratio", medians["batch"] / medians["singles"], "target <= 0.05")
    report("otlp_gauge_vs_single_ratio", medians["otlp_gauge"] / medians["singles"], "target <= 0.05")
    report("otlp_counter_vs_single_ratio", medians["otlp_counter"] / medians["singles"], "target <= 0.05")
    report("samples_stored", MetricSample.objects.count())


SECTIONS = {
    "middleware": middleware,
    "metric_reads": metric_reads,
    "ticks": ticks,
    "grouped_ticks": grouped_ticks,
    "ingest": ingest,
}
