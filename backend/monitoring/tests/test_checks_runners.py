"""HTTP(S) and TCP checks against real servers on 127.0.0.1, through the outbound client."""

import socket

import pytest

from alerts.tests.receivers import closed_port
from monitoring.checks import runners
from monitoring.models import Check, CheckKind

from .check_servers import TargetServer, self_signed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_targets(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True


def http_check(url, **fields) -> Check:
    return Check(name="site", kind=CheckKind.HTTP, url=url, **fields)


@pytest.fixture
def server():
    with TargetServer(slow_seconds=5) as target:
        yield target


def test_a_200_is_up_with_its_response_time(server):
    outcome = runners.run(http_check(server.url("/ok")))
    assert outcome.up and outcome.status_code == 200 and outcome.error == ""
    assert outcome.response_time_ms is not None and 0 < outcome.response_time_ms < 5000
    assert outcome.cert_days_left is None  # plain http


def test_a_500_is_down_and_says_what_was_expected(server):
    outcome = runners.run(http_check(server.url("/error")))
    assert not outcome.up and outcome.status_code == 500
    assert outcome.error == "Answered 500; expected 200-299."
    # the same code is up when it is expected
    assert runners.run(http_check(server.url("/error"), expected_status="200,500-503")).up


def test_a_slow_answer_is_down_within_the_timeout(server):
    outcome = runners.run(http_check(server.url("/slow"), timeout_seconds=1))
    assert not outcome.up
    assert "did not answer within" in outcome.error
    assert outcome.response_time_ms is not None and outcome.response_time_ms < 2500


def test_redirects_are_followed_or_not(server):
    followed = runners.run(http_check(server.url("/redirect")))
    assert followed.up and followed.status_code == 200
    assert server.paths[-2:] == ["/redirect", "/ok"]
    not_followed = runners.run(http_check(server.url("/redirect"), follow_redirects=False))
    assert not not_followed.up and not_followed.status_code == 302
    assert runners.run(http_check(server.url("/redirect"), follow_redirects=False, expected_status="302")).up
    looping = runners.run(http_check(server.url("/loop")))
    assert not looping.up and looping.error == "More than 5 redirects."


def test_each_redirect_hop_is_checked_by_the_guard(server, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    outcome = runners.run(http_check(server.url("/redirect")))
    assert not outcome.up and outcome.error.startswith("Refused:")
    assert "OUTBOUND_ALLOW_PRIVATE_TARGETS" in outcome.error
    assert server.paths == []  # refused before any connection


def test_body_substring_and_regex():
    with TargetServer() as server:
        check = http_check(server.url("/status/200"), body_contains="status")
        assert runners.run(check).up
        check.body_contains = "missing words"
        outcome = runners.run(check)
        assert not outcome.up and outcome.error == "The answer does not contain 'missing words'."
        check.body_contains, check.body_regex = r"^sta\w+$", True
        assert runners.run(check).up
        # A charset Python does not know is read as UTF-8.
        assert runners.run(http_check(server.url("/odd-charset"), body_contains="systems go")).up


def test_an_expiring_self_signed_certificate(tmp_path):
    with TargetServer(certificate=self_signed_certificate(tmp_path, days_left=10.5)) as server:
        verified = runners.run(http_check(server.url("/ok")))
        # Verified by default: an untrusted certificate is down, and its days left are reported.
        assert not verified.up
        assert "certificate could not be verified" in verified.error
        assert verified.cert_days_left == 10
        unverified = runners.run(http_check(server.url("/ok"), verify_tls=False))
        assert unverified.up and unverified.status_code == 200 and unverified.cert_days_left == 10


def test_an_expired_certificate_reports_negative_days(tmp_path):
    with TargetServer(certificate=self_signed_certificate(tmp_path, days_left=-2.5)) as server:
        outcome = runners.run(http_check(server.url("/ok"), verify_tls=False))
        assert outcome.up and outcome.cert_days_left == -3


def test_tcp_open_and_closed_ports():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        opened = runners.run(Check(name="db", kind=CheckKind.TCP, host="127.0.0.1", port=port, timeout_seconds=2))
        assert opened.up and opened.response_time_ms is not None
    closed = closed_port()
    refused = runners.run(Check(name="db", kind=CheckKind.TCP, host="127.0.0.1", port=closed, timeout_seconds=2))
    assert not refused.up and refused.error == f"127.0.0.1:{closed} refused the connection."


def test_tcp_is_guarded_too(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    outcome = runners.run(Check(name="db", kind=CheckKind.TCP, host="127.0.0.1", port=5432, timeout_seconds=2))
    assert not outcome.up and outcome.error.startswith("Refused: 127.0.0.1:5432 resolves to a loopback")
