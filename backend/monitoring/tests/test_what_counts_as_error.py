"""What the error metrics count. 4xx answers are not errors: only 5xx answers and logged ERROR and
CRITICAL records are. A test send that Slack or the mail server refused answers 502, but that is
a delivery failure (recorded as one), not an error of this server: api_error_rate leaves it out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import NotificationDelivery
from alerts.tests.receivers import Reply, WebhookServer, closed_port
from monitoring.catalogue import CATALOGUE
from monitoring.models import ErrorCount, ErrorLog, RequestRollup
from monitoring.selectors import MetricReader
from monitoring.tests.helpers import flush_to_database

pytestmark = pytest.mark.django_db

MISSING = ("/favicon.ico", "/metrics", "/no-such-page", "/no/such/page/", "/api/nope/", "/api/alerts/rules/999999/")
HTML = "text/html,application/xhtml+xml"


def error_count_later() -> float | None:
    """error_count over the 5 minutes ending a minute from now (so the live minute is in it)."""
    flush_to_database()
    return MetricReader(now=timezone.now() + timedelta(minutes=1)).read(CATALOGUE["error_count"], 5, "sum").value


def assert_no_errors_recorded():
    assert error_count_later() == 0.0
    assert list(ErrorLog.objects.values_list("message", flat=True)) == []
    assert not ErrorCount.objects.exists()


@pytest.fixture(params=["built", "not built"])
def dashboard(request, tmp_path, settings):
    """The dashboard's page, built or not: both answer 404 for paths that are not its pages."""
    if request.param == "built":
        (tmp_path / "index.html").write_text("<!doctype html><title>Resee</title>")
    settings.FRONTEND_DIST_DIR = tmp_path


@pytest.mark.parametrize("accept", [HTML, "*/*", "image/avif,image/webp,*/*"])
def test_missing_pages_are_not_errors(dashboard, client, auth_client, accept):
    for path in MISSING:
        for c in (client, auth_client):
            response = c.get(path, HTTP_ACCEPT=accept)
            assert response.status_code < 500, (path, response.status_code)

    assert_no_errors_recorded()


@pytest.mark.urls("monitoring.tests.urls")
@pytest.mark.parametrize("path, status", [
    ("/api/test/missing/", 404), ("/api/test/forbidden/", 403), ("/api/test/suspicious/", 400),
    ("/elsewhere/missing/", 404),
])
def test_exceptions_django_answers_with_a_4xx_are_not_errors(client, path, status):
    assert client.get(path).status_code == status

    flush_to_database()
    assert not ErrorLog.objects.filter(exception_type__contains="Http404").exists()
    assert not ErrorLog.objects.filter(exception_type__contains="PermissionDenied").exists()
    if status != 400:
        assert_no_errors_recorded()
    # A suspicious request is still logged by django.security at ERROR, as Django means it to be:
    # once, by that record, not a second time as an unhandled exception.
    assert ErrorLog.objects.exclude(logger__startswith="django.security").count() == 0


@pytest.mark.urls("monitoring.tests.urls")
def test_a_server_error_is_still_an_error(client):
    with pytest.raises(ZeroDivisionError):
        client.get("/api/test/crash/")

    assert error_count_later() == 1.0
    assert ErrorLog.objects.get().exception_type == "ZeroDivisionError"


# --- test sends refused upstream ------------------------------------------------------------------


def api_error_rate() -> tuple[float | None, float | None]:
    """api_error_rate (avg) and its 5xx count (sum) over 5 settled minutes, read 3 minutes on."""
    flush_to_database()
    reader = MetricReader(now=timezone.now() + timedelta(minutes=3))
    metric = CATALOGUE["api_error_rate"]
    return reader.read(metric, 5, "avg").value, reader.read(metric, 5, "sum").value


@pytest.fixture
def refusing_slack(settings):
    server = WebhookServer().start()
    server.default_reply = Reply(500, "internal_error")
    settings.SLACK_WEBHOOK_URL = server.url("/services/T0TEST/B0TEST/refused")
    settings.SLACK_DEFAULT_CHANNEL = "#alerts"
    yield server
    server.stop()


@pytest.fixture
def refusing_smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


def test_test_sends_refused_upstream_are_not_api_errors(auth_client, refusing_slack, refusing_smtp):
    slack = auth_client.post("/api/alerts/test/slack/", {"message": "Test alert from Resee"}, format="json")
    email = auth_client.post("/api/alerts/test/email/", {"recipient": "test@example.com", "message": "Test alert"},
                             format="json")

    assert (slack.status_code, email.status_code) == (502, 502)
    assert refusing_slack.requests  # Slack was really asked
    assert sorted(NotificationDelivery.objects.values_list("channel", "status")) == [
        ("email", "failed"), ("slack", "failed")
    ]
    assert api_error_rate() == (0.0, 0.0)
    assert_no_errors_recorded()  # logged as failed deliveries (WARNING), not as server errors
    # The endpoints table shows them as failed requests, with the 4xx, not as server errors.
    rows = RequestRollup.objects.filter(route__startswith="/api/alerts/test/")
    assert sum(r.count for r in rows) == 2
    assert sum(r.status_4xx for r in rows) == 2
    assert sum(r.status_5xx for r in rows) == 0


@pytest.mark.urls("monitoring.tests.urls")
def test_a_real_500_still_counts_beside_them(auth_client, refusing_smtp):
    auth_client.post("/api/alerts/test/email/", {"recipient": "test@example.com"}, format="json")
    assert auth_client.get("/api/test/answer/500/").status_code == 500

    assert api_error_rate() == (50.0, 1.0)
