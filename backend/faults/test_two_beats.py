"""Two beat processes at once (a second `celery beat` started by mistake, or two deployments
sharing a broker): every tick is scheduled twice, and still the rule has one alert and each
channel one message per state change."""

import pytest

from alerts.models import AlertHistory, NotificationDelivery
from core.testing import wait_for
from monitoring.services import record_metric

from .harness import assert_alive, beat_args, count, make_rule, slack_subjects, stack_env, ticks_run, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

METRIC = "fault_two_beats"
SENT_TICK = "Sending due task check-alert-rules"


def test_two_beats_one_alert_one_message_per_state_change(tmp_path, stack, slack, smtp, stack_redis):
    record_metric(METRIC, 3)
    rule = make_rule(METRIC)
    env = stack_env(tmp_path, slack=slack, smtp=smtp, redis=stack_redis, ALERT_CHECK_INTERVAL_SECONDS="2")
    stack.start("worker", worker_args("w", concurrency=2), env)
    stack.start("beat-a", beat_args(tmp_path / "beat-a-schedule"), env)
    stack.start("beat-b", beat_args(tmp_path / "beat-b-schedule"), env)

    def alive():
        assert_alive(stack, "worker", "beat-a", "beat-b")

    wait_for(lambda: alive() or (count(stack, "beat-a", SENT_TICK) >= 2 and count(stack, "beat-b", SENT_TICK) >= 2
                                 and ticks_run(stack, "worker") >= 2),
             timeout=60, message="ticks sent by both beats, and run")
    assert slack.requests == [] and smtp.messages == []

    record_metric(METRIC, 250)
    wait_for(lambda: alive() or (len(slack.requests) >= 1 and len(smtp.messages) >= 1), timeout=60,
             message="the trigger")
    sent = count(stack, "beat-a", SENT_TICK) + count(stack, "beat-b", SENT_TICK)
    wait_for(lambda: alive() or count(stack, "beat-a", SENT_TICK) + count(stack, "beat-b", SENT_TICK) >= sent + 6,
             timeout=60, message="three more intervals of both beats")

    record_metric(METRIC, 12)
    wait_for(lambda: alive() or (len(slack.requests) >= 2 and len(smtp.messages) >= 2), timeout=60,
             message="the resolve")
    sent = count(stack, "beat-a", SENT_TICK) + count(stack, "beat-b", SENT_TICK)
    wait_for(lambda: alive() or count(stack, "beat-a", SENT_TICK) + count(stack, "beat-b", SENT_TICK) >= sent + 4,
             timeout=60, message="two more intervals of both beats")

    skipped = stack.log("worker").count("check_alert_rules: {'skipped'")
    sent_a, sent_b = count(stack, "beat-a", SENT_TICK), count(stack, "beat-b", SENT_TICK)
    print(f"ticks sent by beat a: {sent_a}, by beat b: {sent_b}; run: {ticks_run(stack, 'worker')}, "
          f"skipped: {skipped}")
    assert AlertHistory.objects.filter(rule=rule).count() == 1
    assert slack_subjects(slack) == ["[CRITICAL] fault_two_beats too high", "[RESOLVED] fault_two_beats too high"]
    assert [m["Subject"] for m in smtp.messages] == slack_subjects(slack)
    assert sorted(NotificationDelivery.objects.values_list("event", "channel", "status")) == [
        ("resolve", "email", "sent"), ("resolve", "slack", "sent"),
        ("trigger", "email", "sent"), ("trigger", "slack", "sent"),
    ]
