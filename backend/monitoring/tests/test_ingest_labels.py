"""Pushed samples with labels: each labelled sample points at its series' row (created once,
whoever writes it first), a sample without labels is stored as before, and bad labels are a 400
naming the item and the field, with nothing of the batch saved."""

import threading

import pytest
from django.db import connection

from monitoring.labels import fingerprint
from monitoring.models import MetricSample, MetricSeries
from monitoring.services import TelemetryValidationError, record_metric, record_metrics

pytestmark = pytest.mark.django_db

METRICS = "/api/monitoring/metrics/"


def test_one_labelled_sample(auth_client):
    response = auth_client.post(
        METRICS, {"name": "queue_depth", "value": 12, "labels": {"queue": "emails"}}, format="json"
    )

    assert response.status_code == 201, response.json()
    sample = MetricSample.objects.select_related("series").get()
    assert sample.series is not None
    assert (sample.series.name, sample.series.labels) == ("queue_depth", {"queue": "emails"})
    assert sample.series.fingerprint == fingerprint({"queue": "emails"}, "queue_depth")


def test_a_batch_shares_series_rows_and_keeps_unlabelled_samples_plain(auth_client):
    batch = [
        {"name": "queue_depth", "value": 1, "labels": {"queue": "emails", "region": "eu"}},
        {"name": "queue_depth", "value": 2, "labels": {"region": "eu", "queue": "emails"}},  # same series
        {"name": "queue_depth", "value": 3, "labels": {"queue": "sms"}},
        {"name": "queue_depth", "value": 4},
        {"name": "queue_depth", "value": 5, "labels": {}},
        {"name": "queue_depth", "value": 6, "labels": {"queue": ""}},  # an empty value: no such label
        {"name": "other_depth", "value": 7, "labels": {"queue": "sms"}},  # another metric: another series
    ]

    assert auth_client.post(METRICS, batch, format="json").status_code == 201

    by_value = {s.value: s for s in MetricSample.objects.all()}
    labels: dict[int | None, dict] = dict(MetricSeries.objects.values_list("id", "labels"))
    assert by_value[1].series_id == by_value[2].series_id
    assert labels[by_value[1].series_id] == {"queue": "emails", "region": "eu"}
    assert labels[by_value[3].series_id] == {"queue": "sms"}
    assert by_value[4].series_id is None and by_value[5].series_id is None and by_value[6].series_id is None
    assert by_value[7].series_id != by_value[3].series_id
    assert MetricSeries.objects.count() == 3
    # Pushing again finds the rows.
    assert auth_client.post(METRICS, batch, format="json").status_code == 201
    assert MetricSeries.objects.count() == 3


BAD_LABELS = [
    ({"Queue": "emails"}, "'Queue' is not a valid label name"),
    ({"9lives": "x"}, "'9lives' is not a valid label name"),
    ({"queue": "x" * 129}, "{'queue': ['Ensure this field has no more than 128 characters.']}"),
    ({"queue": "a\nb"}, "queue: A label value may not contain control characters."),
    ({f"l{i}": "x" for i in range(11)}, "At most 10 labels (got 11)."),
    ({"queue": 3}, "{'queue': ['Not a valid string.']}"),
    (["queue", "emails"], 'Expected a dictionary of items but got type "list".'),
]


@pytest.mark.parametrize("labels, message", BAD_LABELS)
def test_bad_labels_are_refused_with_the_field(auth_client, labels, message):
    response = auth_client.post(METRICS, {"name": "queue_depth", "value": 1, "labels": labels}, format="json")

    assert response.status_code == 400
    assert message in str(response.json()["labels"])
    assert MetricSample.objects.count() == 0
    assert MetricSeries.objects.count() == 0


def test_one_item_with_bad_labels_refuses_the_whole_batch_naming_it(auth_client):
    batch = [
        {"name": "queue_depth", "value": 1, "labels": {"queue": "emails"}},
        {"name": "queue_depth", "value": 2, "labels": {"Queue": "sms"}},
    ]

    response = auth_client.post(METRICS, batch, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["1"]
    assert list(response.json()["1"]) == ["labels"]
    assert MetricSample.objects.count() == 0
    assert MetricSeries.objects.count() == 0


def test_record_metric_takes_labels():
    sample = record_metric("queue_depth", 3, labels={"queue": "emails"})
    plain = record_metric("queue_depth", 4)

    assert MetricSeries.objects.get(samples=sample).labels == {"queue": "emails"}
    assert MetricSample.objects.get(pk=plain.pk).series_id is None
    with pytest.raises(TelemetryValidationError) as error:
        record_metrics([{"name": "queue_depth", "value": 1}, {"name": "queue_depth", "value": 1, "labels": {"A": "b"}}])
    assert list(error.value.errors) == ["[1].labels"]
    assert MetricSample.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_a_new_series_share_one_row():
    """Several processes push the first sample of the same series at once: one row, every sample
    on it (the unique fingerprint decides; the others ignore the conflict and read the row)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    start = threading.Barrier(6)
    failures = []

    def push(i):
        try:
            start.wait()
            record_metrics([{"name": "queue_depth", "value": i, "labels": {"queue": "emails"}}] * 5)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()  # this thread's own connection, or the test database outlives the test

    threads = [threading.Thread(target=push, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert MetricSeries.objects.count() == 1
    assert MetricSample.objects.filter(series=MetricSeries.objects.get()).count() == 30
