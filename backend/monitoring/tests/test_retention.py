from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.models import (
    ActiveUserMinute,
    AIUsage,
    ErrorCount,
    ErrorLog,
    MetricSample,
    MetricSeries,
    OtlpCumulativePoint,
    RequestRollup,
)
from monitoring.services import delete_old_telemetry, record_metrics

pytestmark = pytest.mark.django_db


def test_telemetry_older_than_retention_is_deleted_in_batches(settings):
    settings.TELEMETRY_RETENTION_DAYS = 14
    now = timezone.now()
    old, recent = now - timedelta(days=15), now - timedelta(days=13)
    for when in (old, recent):
        minute = when.replace(second=0, microsecond=0)
        MetricSample.objects.bulk_create(MetricSample(name="cpu_usage", value=i, timestamp=when) for i in range(7))
        RequestRollup.objects.create(minute=minute, route="/api/x/", method="GET", count=1)
        ErrorCount.objects.create(minute=minute, level="ERROR", count=1)
        ActiveUserMinute.objects.create(minute=minute, user_id=1)
        AIUsage.objects.create(timestamp=when, provider="p", model="m")
        ErrorLog.objects.create(fingerprint=str(when), level="ERROR", message="m", first_seen=when, last_seen=when)
    # The last cumulative point of OTLP series: kept a day.
    for key, when in (("stale", now - timedelta(days=1, minutes=1)), ("fresh", now - timedelta(hours=23))):
        OtlpCumulativePoint.objects.create(key=key, start_unix_nano=0, time_unix_nano=0, updated_at=when)

    deleted = delete_old_telemetry(now=now, batch_size=3)

    assert deleted == {"metric_samples": 7, "request_rollups": 1, "error_counts": 1, "active_user_minutes": 1,
                       "ai_usage": 1, "error_logs": 1, "check_results": 0, "otlp_cumulative_points": 1,
                       "metric_series": 0}
    assert list(OtlpCumulativePoint.objects.values_list("key", flat=True)) == ["fresh"]
    assert MetricSample.objects.count() == 7
    assert all(m.objects.count() == 1 for m in (RequestRollup, ErrorCount, ActiveUserMinute, AIUsage, ErrorLog))
    assert MetricSample.objects.filter(timestamp__lt=now - timedelta(days=14)).count() == 0


def test_series_left_without_samples_are_deleted_and_written_again_when_pushed(settings):
    settings.TELEMETRY_RETENTION_DAYS = 14
    now = timezone.now()
    old, recent = now - timedelta(days=15), now - timedelta(days=13)
    samples = [MetricSample(name="queue_depth", value=1, timestamp=old) for _ in range(4)]
    samples += [MetricSample(name="queue_depth", value=2, timestamp=recent)]
    MetricSeries.assign(samples, [{"queue": "emails"}, {"queue": "sms"}, {"queue": "push"}, None, {"queue": "sms"}])
    MetricSample.objects.bulk_create(samples)

    deleted = delete_old_telemetry(now=now, batch_size=1)

    assert (deleted["metric_samples"], deleted["metric_series"]) == (4, 2)
    assert [s.labels for s in MetricSeries.objects.all()] == [{"queue": "sms"}]
    assert MetricSeries.objects.get(samples=MetricSample.objects.get()).labels == {"queue": "sms"}
    # A series deleted is created again by its next sample.
    record_metrics([{"name": "queue_depth", "value": 4, "labels": {"queue": "emails"}}])
    assert sorted(s.labels["queue"] for s in MetricSeries.objects.all()) == ["emails", "sms"]
    assert delete_old_telemetry(now=now)["metric_series"] == 0
