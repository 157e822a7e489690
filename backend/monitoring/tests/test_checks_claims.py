"""Two sweeps at once (two beats, or a sweep that waited in the queue) never claim one check twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from monitoring.checks import service
from monitoring.models import Check


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_claim_each_due_check_once():
    now = timezone.now()
    Check.objects.bulk_create([
        Check(name=f"site {i}", kind="http", url=f"https://example.com/{i}", next_run_at=now) for i in range(30)
    ])
    Check.objects.create(name="later", kind="tcp", host="db", port=5432, next_run_at=now + timedelta(minutes=1))
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = []

    def sweep():
        try:
            barrier.wait()
            claimed.append(service.claim_due(now=now)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    first, second = claimed
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(Check.objects.filter(kind="http").values_list("id", flat=True))
    # Each is due again one interval later, not at once.
    assert all(c.next_run_at > now for c in Check.objects.filter(kind="http"))
