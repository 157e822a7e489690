"""Redis (the broker) killed and started again, empty, while the worker is in the middle of a
task: the task ends after the connection it came on is gone, its late acknowledgement cannot be
sent, and the worker carries on (it used to stop with "Unrecoverable error": the acknowledgement
on the closed channel raised AttributeError inside the event loop). The breaching rule then has
one alert and one message, from the ticks after Redis came back."""

import pytest

from alerts.models import AlertHistory
from core.testing import wait_for
from monitoring.services import record_metric

from .harness import (
    assert_alive,
    beat_args,
    count,
    make_rule,
    on_sqlite,
    slack_subjects,
    stack_env,
    ticks_run,
    worker_args,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

METRIC = "fault_broker_depth"
CONNECTED = "consumer.connection: Connected to "  # the worker's line for each broker connection


def _lock_waiters() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_task_finishing_after_redis_restarted_does_not_stop_the_worker(tmp_path, stack, slack, redis_server,
                                                                       db_lock):
    record_metric(METRIC, 250)
    rule = make_rule(METRIC, email_enabled=False)
    env = stack_env(tmp_path, slack=slack, redis=redis_server, ALERT_CHECK_INTERVAL_SECONDS="2")

    # The tick that starts now waits for a lock another writer holds (SQLite: the file's write
    # lock; PostgreSQL: the rule's row), so it is still running when Redis goes away.
    db_lock.acquire()
    stack.start("worker", worker_args("w"), env)
    stack.start("beat", beat_args(tmp_path / "beat-schedule"), env)
    wait_for(lambda: assert_alive(stack, "worker", "beat")
             or "Task alerts.tasks.check_alert_rules[" in stack.log("worker"), timeout=60, message="a tick started")
    if not on_sqlite():
        wait_for(_lock_waiters, timeout=30, message="the tick waiting for the rule's row")
    assert ticks_run(stack, "worker") == 0

    connected = count(stack, "worker", CONNECTED)
    redis_server.kill()
    wait_for(lambda: assert_alive(stack, "worker") or "Connection to broker lost" in stack.log("worker"),
             timeout=30, message="the worker noticing the broker is gone")
    redis_server.start()
    wait_for(lambda: assert_alive(stack, "worker") or count(stack, "worker", CONNECTED) > connected,
             timeout=60, message="the worker connected again")
    # The held tick now ends, on the new connection's watch, with the old connection's message.
    db_lock.release()

    wait_for(lambda: assert_alive(stack, "worker", "beat") or len(slack.requests) >= 1, timeout=60,
             message="the trigger, from a tick after Redis came back")
    ticks = ticks_run(stack, "worker")
    wait_for(lambda: assert_alive(stack, "worker", "beat") or ticks_run(stack, "worker") >= ticks + 3, timeout=60,
             message="three more ticks")
    assert_alive(stack, "worker", "beat")
    assert "Unrecoverable error" not in stack.log("worker")
    assert AlertHistory.objects.filter(rule=rule).count() == 1
    assert AlertHistory.objects.get(rule=rule).status == "active"
    assert slack_subjects(slack) == ["[CRITICAL] fault_broker_depth too high"]
