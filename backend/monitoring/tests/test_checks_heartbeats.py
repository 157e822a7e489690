"""Heartbeats on a controlled clock: on time, late, /fail, /start, and a cron schedule across the
DST changes of Europe/Berlin; and the ping endpoints (no authentication, the uuid is the secret)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from core import throttling
from monitoring.checks import heartbeats, service
from monitoring.models import Check, CheckKind, CheckResult, CheckStatus, MetricSample

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)


def heartbeat(**fields) -> Check:
    check = Check.objects.create(name=fields.pop("name", "nightly backup"), kind=CheckKind.HEARTBEAT, **fields)
    Check.objects.filter(pk=check.pk).update(created_at=T0)
    check.refresh_from_db()
    return check


def samples(check, name):
    return list(MetricSample.objects.filter(name=name, series__labels={"check": check.name, "kind": "heartbeat"})
                .order_by("timestamp").values_list("value", flat=True))


def test_on_time_then_late():
    check = heartbeat(period_seconds=3600, grace_seconds=600)
    assert service.ping(check.ping_key, now=T0 + timedelta(minutes=5))
    service.evaluate_heartbeat(check.pk, now=T0 + timedelta(minutes=5, seconds=3600 + 599))
    check.refresh_from_db()
    assert check.status == CheckStatus.UP and check.last_error == ""
    service.evaluate_heartbeat(check.pk, now=T0 + timedelta(minutes=5, seconds=3600 + 601))
    check.refresh_from_db()
    assert check.status == CheckStatus.DOWN
    assert check.last_error == (
        "Late: a ping was expected by 2026-03-27 13:15:00 UTC (grace included); the last ping was at "
        "2026-03-27 12:05:00 UTC."
    )
    assert samples(check, "check_up") == [1.0, 1.0, 0.0]
    assert samples(check, "heartbeat_age_seconds") == [0.0, 3600 + 599, 3600 + 601]


def test_before_the_first_ping_it_is_unknown_then_down():
    check = heartbeat(period_seconds=3600, grace_seconds=60)
    service.evaluate_heartbeat(check.pk, now=T0 + timedelta(minutes=30))
    check.refresh_from_db()
    assert check.status == CheckStatus.UNKNOWN and samples(check, "check_up") == []
    service.evaluate_heartbeat(check.pk, now=T0 + timedelta(minutes=62))
    check.refresh_from_db()
    assert check.status == CheckStatus.DOWN and "no ping yet" in check.last_error


def test_fail_is_down_at_once_until_the_next_good_ping():
    check = heartbeat(period_seconds=86400, grace_seconds=3600)
    service.ping(check.ping_key, now=T0)
    service.ping(check.ping_key, service.PING_FAIL, now=T0 + timedelta(minutes=1))
    check.refresh_from_db()
    assert check.status == CheckStatus.DOWN and check.status_since == T0 + timedelta(minutes=1)
    service.evaluate_heartbeat(check.pk, now=T0 + timedelta(minutes=2))
    check.refresh_from_db()
    assert check.status == CheckStatus.DOWN and check.last_error.startswith("The job reported a failure (/fail)")
    service.ping(check.ping_key, now=T0 + timedelta(minutes=3))
    check.refresh_from_db()
    assert check.status == CheckStatus.UP
    assert samples(check, "check_up") == [1.0, 0.0, 0.0, 1.0]


def test_start_then_success_records_the_run_duration():
    check = heartbeat()
    service.ping(check.ping_key, service.PING_START, now=T0)
    check.refresh_from_db()
    assert check.last_start_at == T0 and check.status == CheckStatus.UNKNOWN
    service.ping(check.ping_key, now=T0 + timedelta(seconds=95))
    check.refresh_from_db()
    assert check.status == CheckStatus.UP and check.last_response_time_ms == 95000.0
    assert CheckResult.objects.get(check_ref=check).response_time_ms == 95000.0


def test_cron_in_berlin_across_the_spring_dst_change():
    # Every day at 09:00 in Berlin: 08:00 UTC until 29 March 2026, 07:00 UTC from then on.
    check = heartbeat(cron="0 9 * * *", time_zone="Europe/Berlin", grace_seconds=600)
    saturday = datetime(2026, 3, 28, 8, 0, 30, tzinfo=UTC)  # 09:00:30 CET
    service.ping(check.ping_key, now=saturday)
    check.refresh_from_db()
    assert heartbeats.next_expected(check, saturday) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    # Sunday 07:09 UTC (09:09 CEST): within the grace. 07:11 UTC: late (a UTC-only schedule
    # would wait until 08:10).
    assert heartbeats.verdict(check, datetime(2026, 3, 29, 7, 9, tzinfo=UTC)).status == CheckStatus.UP
    late = heartbeats.verdict(check, datetime(2026, 3, 29, 7, 11, tzinfo=UTC))
    assert late.status == CheckStatus.DOWN
    assert "expected by 2026-03-29 07:10:00 UTC" in late.error


def test_cron_in_berlin_across_the_autumn_dst_change():
    # 09:00 in Berlin is 07:00 UTC on Saturday 24 October 2026 (CEST), 08:00 UTC on Sunday (CET).
    check = heartbeat(cron="0 9 * * *", time_zone="Europe/Berlin", grace_seconds=600)
    saturday = datetime(2026, 10, 24, 7, 0, 10, tzinfo=UTC)
    service.ping(check.ping_key, now=saturday)
    check.refresh_from_db()
    assert heartbeats.next_expected(check, saturday) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    # At 07:11 UTC on Sunday a UTC-only schedule would be late; it is 08:11 in Berlin that is.
    assert heartbeats.verdict(check, datetime(2026, 10, 25, 7, 11, tzinfo=UTC)).status == CheckStatus.UP
    assert heartbeats.verdict(check, datetime(2026, 10, 25, 8, 9, tzinfo=UTC)).status == CheckStatus.UP
    assert heartbeats.verdict(check, datetime(2026, 10, 25, 8, 11, tzinfo=UTC)).status == CheckStatus.DOWN
    # A time the night repeats (02:30 comes twice): expected the first time.
    check.cron = "30 2 * * *"
    assert heartbeats.next_expected(check, datetime(2026, 10, 24, 0, 30, 10, tzinfo=UTC)) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_the_ping_endpoints(settings):
    check = heartbeat(period_seconds=3600)
    client = Client()
    for method in ("get", "head", "post"):
        response = getattr(client, method)(f"/ping/{check.ping_key}/")
        assert response.status_code == 200
        if method != "head":
            assert response.content == b"OK"
    assert client.get(f"/ping/{check.ping_key}/start").status_code == 200
    assert client.post(f"/ping/{check.ping_key}/fail").status_code == 200
    check.refresh_from_db()
    assert check.status == CheckStatus.DOWN and check.last_start_at is not None
    assert client.get(f"/ping/{uuid.uuid4()}/").status_code == 404
    assert client.get("/ping/not-a-uuid/").status_code == 404
    assert client.put(f"/ping/{check.ping_key}/").status_code == 405


def test_pings_are_rate_limited(settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "ping": "3/minute"}
    throttling.reset("ping", "addr-203.0.113.77")
    check = heartbeat()
    client = Client(REMOTE_ADDR="203.0.113.77")
    codes = [client.get(f"/ping/{check.ping_key}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(f"/ping/{uuid.uuid4()}/").status_code == 429  # guessing counts too
