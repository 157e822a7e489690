"""A promql rule against a real Prometheus (Debian's `prometheus` package; `make test` installs it
when it is missing and it can): Prometheus scrapes a small exporter this test runs every second,
and the rule `sum by (queue) (my_queue_depth) > 100` fires through the real tick for the queue
whose depth breaches, only that one, then resolves when the exporter's value drops. Where
Prometheus is not installed the test is skipped, saying so."""

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.test import override_settings
from django.utils import timezone

from alerts.models import AlertHistory, AlertRule
from alerts.services.alert_engine import AlertEngine
from core.testing import free_port, wait_for
from monitoring.models import DataSource
from monitoring.prometheus import Client

PROMETHEUS = shutil.which("prometheus")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db,
    pytest.mark.skipif(PROMETHEUS is None, reason="prometheus is not installed (Debian: apt-get install prometheus)"),
]


class Exporter:
    """/metrics in Prometheus' text format, one my_queue_depth series per queue, its values set by
    the test."""

    def __init__(self, depths: dict[str, float]):
        self.depths = dict(depths)
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                lines = ["# TYPE my_queue_depth gauge"]
                lines += [f'my_queue_depth{{queue="{q}"}} {v}' for q, v in sorted(exporter.depths.items())]
                body = ("\n".join(lines) + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def exporter():
    server = Exporter({"orders": 150, "billing": 20})
    yield server
    server.close()


@pytest.fixture
def prometheus(tmp_path, process_group, exporter):
    """Prometheus on 127.0.0.1 scraping the exporter every second (stopped by the process group,
    by its pid)."""
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: app\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{exporter.port}']\n"
    )
    assert PROMETHEUS is not None
    process_group.start("prometheus", [
        PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ], env={"PATH": "/usr/bin:/bin"})
    url = f"http://127.0.0.1:{port}"

    def ready():
        try:
            return requests.get(f"{url}/-/ready", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(ready, timeout=60, message=f"Prometheus to be ready ({process_group.log('prometheus')[-500:]})")
    yield url
    process_group.stop("prometheus")


def test_a_promql_rule_fires_for_the_breaching_queue_and_resolves_when_it_drops(prometheus, exporter):
    with override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=True):
        source = DataSource.objects.create(name="local prometheus", base_url=prometheus, timeout_seconds=5)
        client = Client(source)
        wait_for(lambda: len(client.query("my_queue_depth", timezone.now())) == 2, timeout=30,
                 message="Prometheus to scrape both queues")
        rule = AlertRule.objects.create(
            name="Queue backlog", kind="promql", expr="sum by (queue) (my_queue_depth) > 100", data_source=source,
            condition="gt", threshold_value=100, severity="high", summary="{{ labels.queue }} holds {{ value }}",
        )

        AlertEngine(now=timezone.now()).run()

        (alert,) = AlertHistory.objects.filter(rule=rule, status="active")
        assert alert.group_labels == {"queue": "orders"}
        assert alert.metric_value == 150 and alert.summary == "orders holds 150.0"
        assert alert.context["points"], "the alert's chart: the range query's last hour"
        rule.refresh_from_db()
        assert rule.state == "firing"

        exporter.depths["orders"] = 20
        wait_for(lambda: not client.query(rule.expr, timezone.now()), timeout=30,
                 message="Prometheus to scrape the lower depth")
        AlertEngine(now=timezone.now()).run()

        alert.refresh_from_db()
        assert alert.status == "resolved" and "no longer returns" in alert.resolution_notes
        rule.refresh_from_db()
        assert rule.state == "ok"
        assert not AlertHistory.objects.filter(rule=rule, status="active").exists()
