"""The embedded default's SQLite file locked by another writer (a backup, a migration, a stuck
shell) for longer than a tick waits: the tick says the database is locked, not that the previous
tick is still running; the alert fires on the first tick after the lock is released, once."""

import re

import pytest

from alerts.models import AlertHistory
from core.testing import wait_for
from monitoring.services import record_metric

from .harness import assert_alive, beat_args, make_rule, on_sqlite, slack_subjects, stack_env, ticks_run, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

METRIC = "fault_locked"
LOCKED = re.compile(r"check_alert_rules.*database is locked|database is locked.*tick|tick.*database is locked",
                    re.IGNORECASE)
# Both wordings the engine has used for a tick skipped because another one runs.
STILL_RUNNING = re.compile(r"previous tick (is )?still running", re.IGNORECASE)


def test_sqlite_locked_by_another_writer_is_reported_and_no_alert_is_lost(tmp_path, stack, slack, smtp, db_lock):
    if not on_sqlite():
        pytest.skip("the embedded default's SQLite only: PostgreSQL locks rows, not the database")
    record_metric(METRIC, 250)
    rule = make_rule(METRIC)
    env = stack_env(tmp_path, slack=slack, smtp=smtp, ALERT_CHECK_INTERVAL_SECONDS="3")
    db_lock.acquire()
    stack.start("worker", worker_args("w"), env)
    stack.start("beat", beat_args(tmp_path / "beat-schedule"), env)

    # A tick waits for the lock as long as SQLite's timeout, then has to say why it did nothing.
    def a_tick_reported():
        assert_alive(stack, "worker", "beat")
        log = stack.log("worker")
        return LOCKED.search(log) or STILL_RUNNING.search(log)

    wait_for(a_tick_reported, timeout=90, message="a tick that ran into the lock")
    log = stack.log("worker")
    assert not STILL_RUNNING.search(log), [line for line in log.splitlines() if STILL_RUNNING.search(line)]
    reported = LOCKED.search(log)
    assert reported
    print(f"the tick, while the database was locked: {log[log.rfind(chr(10), 0, reported.start()) + 1:reported.end()]}")
    assert AlertHistory.objects.count() == 0 and slack.requests == []

    db_lock.release()
    wait_for(lambda: assert_alive(stack, "worker") or (len(slack.requests) >= 1 and len(smtp.messages) >= 1),
             timeout=60, message="the alert, after the lock was released")
    ticks = ticks_run(stack, "worker")
    wait_for(lambda: assert_alive(stack, "worker") or ticks_run(stack, "worker") >= ticks + 3, timeout=60,
             message="three more ticks")
    assert AlertHistory.objects.filter(rule=rule).count() == 1
    assert slack_subjects(slack) == ["[CRITICAL] fault_locked too high"]
    assert [m["Subject"] for m in smtp.messages] == ["[CRITICAL] fault_locked too high"]
