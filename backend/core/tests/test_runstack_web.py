"""A slow upstream does not hold the web tier: test sends waiting on a hanging Slack leave the web
server free to answer everyone else (gunicorn as `manage.py runstack` starts it)."""

import json
import threading
import time
import urllib.request

import pytest
from django.contrib.auth import get_user_model

from alerts.tests.receivers import Reply, WebhookServer
from core.management.commands.runstack import web_command
from core.testing import PYTHON, api_key, child_env, free_port, http_status, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CONCURRENT_SENDS = 4


@pytest.fixture
def hanging_slack():
    server = WebhookServer()
    # Held until the test ends (the server is stopped), well past the sender's 10 s timeout.
    server.default_reply = Reply(hang=120)
    server.start()
    yield server
    server.stop()


def test_health_answers_within_a_second_while_test_sends_hang(tmp_path, process_group, hanging_slack):
    user = get_user_model().objects.create_superuser("ops", "ops@example.com", "pw-ops-1")
    token = api_key(user)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_env(tmp_path, SLACK_WEBHOOK_URL=hanging_slack.url("/services/T0/B0/hang"),
                    NOTIFICATION_TIMEOUT_SECONDS="10")
    # Two workers, as runstack starts by default: with sync workers two hanging sends took both.
    web = process_group.start("web", web_command("127.0.0.1", port, 2, PYTHON), env)
    wait_for(lambda: web.poll() is None and http_status(f"{base}/health/") == 200, timeout=60, message="gunicorn")

    def send():
        request = urllib.request.Request(
            f"{base}/api/alerts/test/slack/", data=json.dumps({"message": "hang"}).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        try:
            urllib.request.urlopen(request, timeout=30).close()
        except OSError:
            pass  # 502 when Slack does not answer in time: what these requests get does not matter here

    senders = [threading.Thread(target=send, daemon=True) for _ in range(CONCURRENT_SENDS)]
    for sender in senders:
        sender.start()
    # Every send is in the web server and waiting on Slack.
    wait_for(lambda: len(hanging_slack.requests) >= CONCURRENT_SENDS, timeout=20, message="the sends to reach Slack")

    timings = []
    for _ in range(5):
        started = time.monotonic()
        assert http_status(f"{base}/health/", timeout=15) == 200
        timings.append(time.monotonic() - started)
    print(f"/health/ during {CONCURRENT_SENDS} hanging test sends: max {max(timings):.3f} s")

    assert max(timings) < 1.0, timings
    assert all(sender.is_alive() for sender in senders)  # the sends were still waiting all along
