"""Slack hanging on every message while three alerts fire, in the stack `make run` starts
(runstack): ticks and collections keep their schedule (none expires unrun) and the emails of the
same alerts arrive without waiting for Slack."""

import pytest

from alerts.models import AlertHistory
from alerts.tests.receivers import Reply
from core.testing import PYTHON, free_port, wait_for
from monitoring.services import record_metric

from .harness import assert_alive, make_rule, stack_env, ticks_run

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# Beat gives each run `expires` = the larger of interval - 5 s and half the interval to start: 8 s
# leaves 4 s, more than the embedded broker takes to hand a message to a worker, so only a busy
# worker can make a run expire.
INTERVAL = 8
SLACK_TIMEOUT = 30
INTERVALS_WATCHED = 5
SENT_TICK = "Sending due task check-alert-rules"
SENT_COLLECTION = "Sending due task collect-system-metrics"
COLLECTED = "Task monitoring.tasks.collect_system_metrics["


def _collections(log: str) -> int:
    return sum(1 for line in log.splitlines() if COLLECTED in line and "succeeded" in line)


def _expired(log: str, task: str) -> int:
    return sum(1 for line in log.splitlines() if "Discarding revoked task" in line and task in line)


def test_slack_hanging_keeps_ticks_collections_and_email_on_time(tmp_path, stack, slack, smtp, stack_redis):
    slack.default_reply = Reply(hang=600)
    rules = []
    for n in range(3):
        record_metric(f"fault_hang_{n}", 250)
        rules.append(make_rule(f"fault_hang_{n}"))
    env = stack_env(
        tmp_path, slack=slack, smtp=smtp, redis=stack_redis, ALERT_CHECK_INTERVAL_SECONDS=str(INTERVAL),
        METRICS_COLLECTION_INTERVAL_SECONDS=str(INTERVAL), NOTIFICATION_TIMEOUT_SECONDS=str(SLACK_TIMEOUT),
    )
    port = free_port()
    stack.start("stack", [PYTHON, "manage.py", "runstack", "--host", "127.0.0.1", "--port", str(port),
                          "--web-workers", "1"], env)

    wait_for(lambda: assert_alive(stack, "stack") or AlertHistory.objects.count() == 3, timeout=90,
             message="the three alerts")
    wait_for(lambda: len(slack.requests) >= 1, timeout=30, message="Slack being sent to (and hanging)")

    log = stack.log("stack")
    watched_from = len(log)
    start = {"sent ticks": log.count(SENT_TICK), "ticks": ticks_run(stack, "stack"),
             "sent collections": log.count(SENT_COLLECTION), "collections": _collections(log)}

    def watched_intervals_sent():
        assert_alive(stack, "stack")
        log = stack.log("stack")
        return (log.count(SENT_TICK) - start["sent ticks"] >= INTERVALS_WATCHED
                and log.count(SENT_COLLECTION) - start["sent collections"] >= INTERVALS_WATCHED)

    wait_for(watched_intervals_sent, timeout=INTERVAL * INTERVALS_WATCHED + 30,
             message=f"{INTERVALS_WATCHED} intervals of beat")

    def every_sent_one_ran():
        log = stack.log("stack")
        return (ticks_run(stack, "stack") - start["ticks"] >= INTERVALS_WATCHED
                and _collections(log) - start["collections"] >= INTERVALS_WATCHED)

    # A run sent at the end of the watch finishes within a fraction of an interval.
    ran_in_time = True
    try:
        wait_for(every_sent_one_ran, timeout=INTERVAL * 3, interval=0.25, message="")
    except pytest.fail.Exception:
        ran_in_time = False
    # Measured (then judged) even when late: how late is the figure this test reports.
    wait_for(lambda: len(smtp.messages) == 3, timeout=SLACK_TIMEOUT * 4, message="the three emails")

    log = stack.log("stack")
    watched = log[watched_from:]
    ran_ticks, ran_collections = ticks_run(stack, "stack") - start["ticks"], _collections(log) - start["collections"]
    latencies = {}
    for message, arrived in zip(smtp.messages, smtp.handler.arrived_at, strict=True):
        alert = AlertHistory.objects.get(rule_name=message["Subject"].removeprefix("[CRITICAL] "))
        latencies[alert.rule_name] = arrived - alert.triggered_at.timestamp()
    print(f"with Slack hanging: {ran_ticks} ticks and {ran_collections} collections run in the watched "
          f"{INTERVALS_WATCHED} intervals of {INTERVAL} s; expired: "
          f"{_expired(watched, 'check_alert_rules')} ticks, {_expired(watched, 'collect_system_metrics')} collections; "
          f"email latency after the tick: " + ", ".join(f"{v:.2f} s" for v in sorted(latencies.values())))
    assert ran_in_time, f"not every tick and collection of {INTERVALS_WATCHED} intervals ran"
    assert _expired(watched, "alerts.tasks.check_alert_rules") == 0
    assert _expired(watched, "monitoring.tasks.collect_system_metrics") == 0
    assert all(latency < SLACK_TIMEOUT for latency in latencies.values()), latencies
    assert len(latencies) == 3
