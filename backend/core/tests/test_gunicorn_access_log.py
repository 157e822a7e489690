"""The web server's access log never holds a secret from a query string."""


import pytest

from core.management.commands.runstack import web_command
from core.testing import PYTHON, child_env, free_port, http_status, wait_for
from resee.gunicorn_conf import redact_query, redact_url


@pytest.mark.parametrize("query, redacted", [
    ("", ""),
    ("page=2&ordering=-created_at", "page=2&ordering=-created_at"),
    ("token=abc123&password=hunter2&page=2", "token=REDACTED&password=REDACTED&page=2"),
    ("api_key=k&X-Amz-Signature=s&sig=q&signup=yes",
     "api_key=REDACTED&X-Amz-Signature=REDACTED&sig=REDACTED&signup=yes"),
    ("access%5Ftoken=t&client_secret=s&auth=a&code=c&sessionid=x",
     "access%5Ftoken=REDACTED&client_secret=REDACTED&auth=REDACTED&code=REDACTED&sessionid=REDACTED"),
    ("flag&token", "flag&token"),
])
def test_secret_parameters_are_redacted(query, redacted):
    assert redact_query(query) == redacted


def test_urls_keep_their_path():
    assert redact_url("/api/x/?token=t&q=1#frag") == "/api/x/?token=REDACTED&q=1"
    assert redact_url("https://alerts.example.com/a?password=p") == "https://alerts.example.com/a?password=REDACTED"
    assert redact_url("/health/") == "/health/"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_gunicorn_as_runstack_starts_it_logs_no_query_string_secret(tmp_path, process_group):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = process_group.start("web", web_command("127.0.0.1", port, 1, PYTHON), child_env(tmp_path))
    wait_for(lambda: web.poll() is None and http_status(f"{base}/health/") == 200, timeout=60, message="gunicorn")

    http_status(f"{base}/health/?token=tok-3f9a1c&password=hunter2-pw&page=2")
    http_status(f"{base}/api/alerts/rules/?api_key=key-77b2",
                Referer=f"{base}/alerts/?access_token=ref-5e8d&tab=open")
    wait_for(lambda: process_group.log("web").count('"GET /') >= 3, timeout=10, message="the access log lines")
    process_group.stop("web")

    log = process_group.log("web")
    for secret in ("tok-3f9a1c", "hunter2-pw", "key-77b2", "ref-5e8d"):
        assert secret not in log
    assert '"GET /health/?token=REDACTED&password=REDACTED&page=2 HTTP/1.1" 200' in log
    assert '"GET /api/alerts/rules/?api_key=REDACTED HTTP/1.1" 401' in log
    assert f'"{base}/alerts/?access_token=REDACTED&tab=open"' in log
