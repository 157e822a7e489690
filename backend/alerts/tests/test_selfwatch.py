"""Self-watch: /metrics (who may read it, what it says, promtool's verdict), the self-health API
behind the dashboard's banner, and the dead-man's switch ping."""

import logging
import shutil
import subprocess
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from alerts.models import AlertHistory, AlertRule, NotificationDelivery
from alerts.services import alert_engine, selfwatch, tick_lock
from core import selfwatch as core_selfwatch
from monitoring.services import record_metrics

from .factories import make_alert, make_delivery, make_rule
from .receivers import closed_port

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def scrape(client, token=TOKEN, **extra):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of an exposition, read by prometheus_client's parser."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


# --- who may read /metrics --------------------------------------------------------------------


def test_metrics_are_refused_until_a_token_or_an_allowlist_is_set(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []
    response = client.get("/metrics")
    assert response.status_code == 403
    assert "set METRICS_TOKEN" in response.content.decode()
    assert "METRICS_ALLOWED_IPS" in response.content.decode()
    # A signed-in session is no substitute.
    client.force_login(make_superuser())
    assert client.get("/metrics").status_code == 403


def make_superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@resee.test", "pw-Resee-2026")


def test_metrics_need_the_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = TOKEN, []
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert TOKEN not in response.content.decode()
    assert scrape(client, token="scrape-token-0123456789abcdeX").status_code == 401
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"resee_ticks_total" in response.content
    assert client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_metrics_from_an_allowed_network_only(client, settings):
    import ipaddress

    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3").status_code == 200
    # Both set: both needed.
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 401
    assert scrape(client, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert scrape(client, REMOTE_ADDR="192.168.1.1").status_code == 403


# --- what /metrics says -----------------------------------------------------------------------


def test_metrics_agree_with_the_database(client, settings, django_user_model):
    settings.METRICS_TOKEN = TOKEN
    now = timezone.now()
    record_metrics([{"name": "queue_depth", "value": 500}])
    firing = make_rule(name="Backlog", metric_name="queue_depth", threshold_value=100, aggregation="last",
                       time_window_minutes=1, severity="critical")
    make_rule(name="Quiet", metric_name="queue_depth", threshold_value=1000, aggregation="last",
              time_window_minutes=1)
    make_rule(name="Off", is_active=False)
    make_alert(make_rule(name="Old one", is_active=False), severity="low", status="resolved")
    make_alert(make_rule(name="Manual", is_active=False), severity="medium")
    make_delivery(channel="slack", status="sent")
    make_delivery(channel="slack", status="failed")
    make_delivery(channel="email", status="pending", created_at=now - timedelta(minutes=3))
    make_delivery(channel="email", status="sent", created_at=now - timedelta(days=2))  # outside the 24 h

    report = alert_engine.run_tick()  # a real tick: fires Backlog, counted with its duration
    assert not report.skipped
    cache.add(tick_lock.TICK_LOCK_KEY, "another tick", timeout=30)
    assert alert_engine.run_tick().skip_reason == tick_lock.STILL_RUNNING
    cache.delete(tick_lock.TICK_LOCK_KEY)

    pusher = django_user_model.objects.create_superuser("pusher", "p@resee.test", "pw-Resee-2026")
    client.force_login(pusher)
    assert client.post("/api/monitoring/metrics/", [{"name": "orders", "value": 1}, {"name": "orders", "value": 2}],
                       content_type="application/json").status_code == 201
    assert client.post("/api/monitoring/metrics/", [{"name": "orders", "value": 1}, {"name": "Bad Name", "value": 1},
                                                     {"name": "orders", "value": 3}],
                       content_type="application/json").status_code == 400
    client.logout()

    response = scrape(client)
    assert response.status_code == 200
    found = samples(response.content.decode())

    assert found[("resee_ticks_total", ())] == 1
    assert found[("resee_tick_duration_seconds_count", ())] == 1
    assert found[("resee_tick_duration_seconds_bucket", (("le", "+Inf"),))] == 1
    assert 0 < found[("resee_tick_duration_seconds_sum", ())] < 30
    assert found[("resee_ticks_skipped_total", (("reason", tick_lock.STILL_RUNNING),))] == 1
    assert found[("resee_ticks_skipped_total", (("reason", tick_lock.DATABASE_LOCKED),))] == 0
    last = tick_lock.engine_status()["last_tick_at"]
    assert found[("resee_last_tick_timestamp_seconds", ())] == pytest.approx(
        datetime.fromisoformat(last).timestamp())

    assert AlertRule.objects.get(pk=firing.pk).state == "firing"
    for state in ("ok", "pending", "firing", "no_data", "error", "suppressed"):
        expected = AlertRule.objects.filter(is_active=True, state=state).count()
        assert found[("resee_rules", (("state", state),))] == expected
    assert found[("resee_rules", (("state", "firing"),))] == 1
    assert found[("resee_rules", (("state", "ok"),))] == 1
    assert found[("resee_rules_inactive", ())] == AlertRule.objects.filter(is_active=False).count() == 3

    for severity in ("low", "medium", "high", "critical"):
        expected = AlertHistory.objects.filter(status="active", severity=severity).count()
        assert found[("resee_alerts_open", (("severity", severity),))] == expected
    assert found[("resee_alerts_open", (("severity", "critical"),))] == 1
    assert found[("resee_alerts_open", (("severity", "medium"),))] == 1
    assert found[("resee_alerts_open", (("severity", "low"),))] == 0

    recent = NotificationDelivery.objects.filter(created_at__gte=timezone.now() - timedelta(hours=24))
    deliveries = {key: value for key, value in found.items() if key[0] == "resee_notification_deliveries"}
    assert deliveries == {
        ("resee_notification_deliveries", (("channel", row.channel), ("status", row.status))):
            recent.filter(channel=row.channel, status=row.status).count()
        for row in recent
    }
    assert deliveries[("resee_notification_deliveries", (("channel", "slack"), ("status", "failed")))] == 1
    pending = NotificationDelivery.objects.filter(status="pending")
    assert found[("resee_notification_queue_depth", ())] == pending.count() >= 1
    oldest = min(d.created_at for d in pending)
    assert found[("resee_notification_oldest_pending_age_seconds", ())] == pytest.approx(
        (timezone.now() - oldest).total_seconds(), abs=5)

    assert found[("resee_ingest_samples_total", (("outcome", "accepted"), ("source", "json")))] == 2
    assert found[("resee_ingest_samples_total", (("outcome", "rejected"), ("source", "json")))] == 3
    assert found[("resee_ingest_samples_total", (("outcome", "accepted"), ("source", "otlp_metrics")))] == 0
    assert found[("resee_check_runs_total", (("kind", "http"), ("outcome", "up")))] == 0


def test_counters_add_up_across_calls_and_the_histogram_is_cumulative():
    for seconds in (0.004, 0.03, 0.03, 0.7, 120.0):
        core_selfwatch.record_tick(seconds)
    buckets, total, count = core_selfwatch.tick_histogram()
    by_bound = dict(buckets)
    assert (by_bound["0.01"], by_bound["0.05"], by_bound["1.0"], by_bound["60.0"], by_bound["+Inf"]) == (1, 3, 4, 4, 5)
    assert count == 5 and total == pytest.approx(120.764)
    core_selfwatch.count_check_run("http", up=False)
    core_selfwatch.count_check_run("http", up=False)
    assert core_selfwatch.check_run_counts()[("http", "down")] == 2


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_exposition(client, settings):
    settings.METRICS_TOKEN = TOKEN
    make_alert(make_rule(name="Disk"), severity="high")
    make_delivery(channel="webhook", status="failed")
    core_selfwatch.record_tick(0.2)
    core_selfwatch.count_ingest("otlp_metrics", accepted=10, rejected=1)
    body = scrape(client).content
    checked = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, timeout=30)
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    assert checked.stdout.decode().strip() == "" and checked.stderr.decode().strip() == ""


# --- the self-health API ----------------------------------------------------------------------


def workers_answered(number):
    """What the worker ping found, as the ping itself stores it."""
    cache.set(selfwatch.WORKERS_KEY, {"at": timezone.now().timestamp(), "workers": number}, timeout=None)


def test_self_health_needs_a_signed_in_user(client):
    assert client.get("/api/monitoring/self-health/").status_code in (401, 403)


def test_self_health_is_ok_after_a_fresh_tick(client, viewer):
    alert_engine.run_tick()
    workers_answered(2)
    client.force_login(viewer)
    body = client.get("/api/monitoring/self-health/").json()
    assert body["ok"] is True, body
    assert body["problems"] == []
    assert body["workers"] == 2
    assert body["check_interval_seconds"] == 60
    assert body["failing_deliveries_15m"] == 0
    assert body["last_tick_at"] is not None


def test_a_tick_older_than_two_intervals_is_a_problem(settings):
    settings.ALERT_CHECK_INTERVAL_SECONDS = 60
    workers_answered(1)
    alert_engine.run_tick()
    ticked = datetime.fromisoformat(tick_lock.engine_status()["last_tick_at"])
    assert selfwatch.self_health(now=ticked + timedelta(seconds=119))["ok"] is True
    later = selfwatch.self_health(now=ticked + timedelta(seconds=121))
    assert later["ok"] is False
    (problem,) = later["problems"]
    assert problem["kind"] == "tick_stale"
    assert problem["text"].startswith(f"No rule evaluation has completed since {timezone.localtime(ticked):%H:%M} UTC")


def test_no_tick_ever_is_a_problem_two_intervals_after_it_was_first_seen():
    workers_answered(1)
    now = timezone.now()
    assert selfwatch.self_health(now=now)["ok"] is True
    assert selfwatch.self_health(now=now + timedelta(seconds=119))["ok"] is True
    assert [p["kind"] for p in selfwatch.self_health(now=now + timedelta(seconds=121))["problems"]] == ["tick_stale"]


def test_no_worker_answering_is_a_problem():
    # No worker runs in this test: the real ping (on the embedded broker) finds none.
    alert_engine.run_tick()
    health = selfwatch.self_health()
    assert health["workers"] == 0
    assert [p["kind"] for p in health["problems"]] == ["no_worker"]
    assert "No Celery worker answered" in health["problems"][0]["text"]
    # Kept briefly: the next call does not ping again.
    assert cache.get(selfwatch.WORKERS_KEY)["workers"] == 0


def test_deliveries_failing_for_every_attempt_in_15_minutes_is_a_problem():
    alert_engine.run_tick()
    workers_answered(1)
    now = timezone.now()
    make_delivery(status="failed", last_error="Slack answered 500", created_at=now - timedelta(minutes=20))
    assert selfwatch.self_health()["ok"] is True  # older than 15 minutes
    make_delivery(status="failed", last_error="Slack answered 500", created_at=now - timedelta(minutes=5))
    make_delivery(status="pending", attempts=2, last_error="timed out", created_at=now - timedelta(minutes=2))
    make_delivery(status="pending", attempts=0, created_at=now)  # not attempted yet
    make_delivery(event="test", status="sent", created_at=now)  # a test send does not count
    make_delivery(status="skipped", created_at=now)
    health = selfwatch.self_health()
    assert health["failing_deliveries_15m"] == 2
    (problem,) = health["problems"]
    assert problem["kind"] == "deliveries_failing"
    assert "(2 failing, none sent)" in problem["text"]
    make_delivery(status="sent", sent_at=now, created_at=now - timedelta(minutes=1))
    health = selfwatch.self_health()
    assert (health["ok"], health["failing_deliveries_15m"]) == (True, 2)


# --- the dead-man's switch --------------------------------------------------------------------


class PingReceiver:
    """An HTTP server on 127.0.0.1 recording the method and path of each request."""

    def __init__(self, status=200):
        self.requests: list[tuple[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                receiver.requests.append((self.command, self.path))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")

            do_GET = do_POST = _answer

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def ping_receiver():
    receiver = PingReceiver()
    yield receiver
    receiver.stop()


def test_no_ping_without_a_url(settings):
    settings.DEADMAN_PING_URL = ""
    assert core_selfwatch.ping_deadman() is None


def test_a_good_tick_pings_once(settings, ping_receiver, celery_eager):
    from alerts import tasks

    settings.DEADMAN_PING_URL = ping_receiver.url("/ping/5bf5a1c2-secret")
    tasks.check_alert_rules()
    assert ping_receiver.requests == [("GET", "/ping/5bf5a1c2-secret")]
    settings.DEADMAN_PING_METHOD = "POST"
    tasks.check_alert_rules()
    assert ping_receiver.requests[1] == ("POST", "/ping/5bf5a1c2-secret")
    # A skipped tick is not a good one.
    cache.add(tick_lock.TICK_LOCK_KEY, "another tick", timeout=30)
    assert tasks.check_alert_rules() == {"skipped": True, "reason": tick_lock.STILL_RUNNING}
    assert len(ping_receiver.requests) == 2


def test_a_failing_ping_is_logged_without_its_secret_and_never_fails_the_tick(settings, caplog):
    from alerts import tasks

    port = closed_port()
    settings.DEADMAN_PING_URL = f"http://127.0.0.1:{port}/ping/5bf5a1c2-secret?token=hush"
    with caplog.at_level(logging.WARNING, logger="core.selfwatch"):
        summary = tasks.check_alert_rules()
    assert summary["evaluated"] == 0
    (record,) = [r for r in caplog.records if r.name == "core.selfwatch"]
    assert record.levelno == logging.WARNING
    assert f"127.0.0.1:{port}" in record.getMessage()
    assert "secret" not in record.getMessage() and "hush" not in record.getMessage()


def test_a_ping_answered_with_an_error_status_is_logged(settings, caplog):
    receiver = PingReceiver(status=404)
    try:
        settings.DEADMAN_PING_URL = receiver.url("/ping/secret-uuid")
        with caplog.at_level(logging.WARNING, logger="core.selfwatch"):
            assert core_selfwatch.ping_deadman() is False
    finally:
        receiver.stop()
    assert "answered HTTP 404" in caplog.text and "secret-uuid" not in caplog.text


def test_the_private_target_guard_applies_when_asked(settings, ping_receiver):
    settings.DEADMAN_PING_URL = ping_receiver.url("/ping/x")
    settings.DEADMAN_PING_ALLOW_PRIVATE = False
    assert core_selfwatch.ping_deadman() is False
    assert ping_receiver.requests == []


def test_the_ping_timeout_is_at_most_half_an_interval(settings):
    settings.DEADMAN_PING_TIMEOUT_SECONDS = 5
    settings.ALERT_CHECK_INTERVAL_SECONDS = 2
    assert core_selfwatch.deadman_timeout() == 1
    settings.ALERT_CHECK_INTERVAL_SECONDS = 60
    assert core_selfwatch.deadman_timeout() == 5


# --- the Watchdog rule ------------------------------------------------------------------------


def test_the_watchdog_rule_is_off_until_switched_on_then_always_fires_and_renotifies():
    from django.core.management import call_command

    call_command("watchdog_rule")
    rule = AlertRule.objects.get(name="Watchdog")
    assert (rule.is_active, rule.metric_name, rule.condition, rule.threshold_value) == (False, "watchdog", "gt", 0)
    assert (rule.severity, rule.cooldown_minutes) == ("low", 5)
    now = timezone.now()
    alert_engine.run_tick(now=now)
    assert not AlertHistory.objects.filter(rule=rule).exists()

    call_command("watchdog_rule", "--activate")
    assert AlertRule.objects.filter(name="Watchdog").count() == 1
    report = alert_engine.run_tick(now=now)
    assert report.counts["fired"] == 1
    alert = AlertHistory.objects.get(rule=rule, status="active")
    assert alert.metric_value == 1
    assert alert.labels["alertname"] == "Watchdog"
    assert alert_engine.run_tick(now=now + timedelta(minutes=2)).counts["reminded"] == 0
    assert alert_engine.run_tick(now=now + timedelta(minutes=5, seconds=30)).counts["reminded"] == 1
    assert AlertRule.objects.get(pk=rule.pk).state == "firing"


def test_the_watchdog_metric_reads_1_by_every_aggregation_but_sum_and_count():
    from alerts.services.metric_collector import MetricCollector

    collector = MetricCollector()
    assert collector.get_metric_value("watchdog", 5) == 1
    assert collector.get_metric_value("watchdog", 5, aggregation="min") == 1
    assert collector.get_metric_value("watchdog", 5, aggregation="sum") == 5


# --- the settings -----------------------------------------------------------------------------


def start_with(tmp_path, **env):
    import subprocess

    from core.testing import BACKEND_DIR, PYTHON

    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "resee.settings", "DATA_DIR": str(tmp_path),
            "ENV_FILE": str(tmp_path / "absent.env"), **env}
    code = ("import django\ndjango.setup()\nfrom django.conf import settings\n"
            "print([str(n) for n in settings.METRICS_ALLOWED_NETWORKS], settings.DEADMAN_PING_METHOD)")
    return subprocess.run([PYTHON, "-c", code], cwd=BACKEND_DIR, env=base, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name, value", [
    ("METRICS_ALLOWED_IPS", "10.0.0.0/8,not-a-network"), ("METRICS_TOKEN", "short"),
    ("DEADMAN_PING_METHOD", "PUT"), ("DEADMAN_PING_URL", "ftp://hc-ping.com/x"),
    ("DEADMAN_PING_TIMEOUT_SECONDS", "0"),
])
def test_a_bad_self_watch_setting_stops_start_up_with_its_name(tmp_path, name, value):
    started = start_with(tmp_path, **{name: value})
    assert started.returncode != 0
    assert name in started.stderr


def test_self_watch_settings_are_read(tmp_path):
    started = start_with(tmp_path, METRICS_ALLOWED_IPS="10.0.0.0/8, 127.0.0.1", DEADMAN_PING_METHOD="post")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "['10.0.0.0/8', '127.0.0.1/32'] POST"


# --- checks -----------------------------------------------------------------------------------


def test_check_runs_and_checks_are_in_the_metrics(client, settings, django_capture_on_commit_callbacks):
    from monitoring.checks import service as checks
    from monitoring.models import Check

    settings.METRICS_TOKEN = TOKEN
    job = checks.create_check(name="Nightly backup", kind="heartbeat", period_seconds=3600, grace_seconds=600,
                              create_rule=False)
    checks.create_check(name="Paused", kind="heartbeat", is_active=False, create_rule=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert checks.ping(job.ping_key)
    with django_capture_on_commit_callbacks(execute=True):
        assert checks.ping(job.ping_key, checks.PING_FAIL)
    with django_capture_on_commit_callbacks(execute=True):
        assert checks.ping(job.ping_key)
    found = samples(scrape(client).content.decode())
    assert found[("resee_check_runs_total", (("kind", "heartbeat"), ("outcome", "up")))] == 2
    assert found[("resee_check_runs_total", (("kind", "heartbeat"), ("outcome", "down")))] == 1
    assert found[("resee_check_runs_total", (("kind", "http"), ("outcome", "up")))] == 0
    assert found[("resee_checks", (("kind", "heartbeat"), ("status", "up")))] == Check.objects.filter(
        is_active=True, status="up").count() == 1
    assert found[("resee_checks", (("kind", "http"), ("status", "down")))] == 0
