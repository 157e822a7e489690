"""A worker killed with SIGKILL in the middle of a Slack send: the alert resolves meanwhile, and
the trigger whose task was lost is never posted after the "Resolved" message."""

import pytest

from alerts.models import AlertHistory, DeliveryStatus, NotificationDelivery
from alerts.tests.receivers import Reply
from core.testing import wait_for
from monitoring.services import record_metric

from .harness import (
    assert_alive,
    beat_args,
    is_resolve,
    kill_hard,
    make_rule,
    run_django,
    slack_subjects,
    stack_env,
    ticks_run,
    worker_args,
)

pytestmark = [pytest.mark.integration, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

METRIC = "fault_queue_depth"


def test_worker_killed_mid_send_no_stale_trigger_after_the_resolve(tmp_path, stack, slack, smtp, stack_redis):
    # Slack takes the trigger and never answers; the send is still waiting when the worker dies.
    slack.replies.append(Reply(hang=600))
    record_metric(METRIC, 250)
    rule = make_rule(METRIC)
    env = stack_env(tmp_path, slack=slack, smtp=smtp, redis=stack_redis, ALERT_CHECK_INTERVAL_SECONDS="2",
                    NOTIFICATION_TIMEOUT_SECONDS="60")
    stack.start("worker", worker_args("first"), env)
    stack.start("beat", beat_args(tmp_path / "beat-schedule"), env)
    wait_for(lambda: assert_alive(stack, "worker", "beat") or (len(slack.requests) >= 1 and len(smtp.messages) >= 1),
             timeout=60, message="the trigger, hanging at Slack")
    kill_hard(stack, "worker")
    trigger = NotificationDelivery.objects.get(alert__rule=rule, channel="slack", event="trigger")
    assert trigger.status == DeliveryStatus.PENDING

    # Back to normal while no worker runs; a new worker resolves the alert.
    record_metric(METRIC, 12)
    stack.start("worker2", worker_args("second"), env)
    wait_for(lambda: assert_alive(stack, "worker2", "beat")
             or AlertHistory.objects.filter(rule=rule, status="resolved").exists(), timeout=60,
             message="the alert resolved by the new worker")

    # The stalled-delivery sweep, as the tick runs it once the trigger's task has been lost for
    # longer than it waits (10 minutes): run by a process of the stack with that `now`.
    requeued = run_django(env, """
        from datetime import timedelta
        from django.utils import timezone
        from alerts.services.notifications import requeue_stalled_deliveries
        print(requeue_stalled_deliveries(now=timezone.now() + timedelta(minutes=15)))
    """)
    print(f"requeued by the sweep: {requeued.strip()}")

    def every_slack_delivery_done():
        assert_alive(stack, "worker2")
        rows = NotificationDelivery.objects.filter(alert__rule=rule, channel="slack")
        return rows.count() >= 2 and not rows.filter(status=DeliveryStatus.PENDING).exists()

    wait_for(every_slack_delivery_done, timeout=90, message="every Slack delivery of the alert finished")
    ticks = ticks_run(stack, "worker2")
    wait_for(lambda: ticks_run(stack, "worker2") >= ticks + 2, timeout=60, message="two more ticks")

    subjects = slack_subjects(slack)
    print(f"Slack got, in order: {subjects}")
    assert AlertHistory.objects.filter(rule=rule).count() == 1
    resolves = [i for i, subject in enumerate(subjects) if is_resolve(subject)]
    assert len(resolves) == 1, subjects
    late = subjects[resolves[0] + 1:]
    assert late == [], f"sent after the resolve: {late}"
    # The hung first attempt is the only trigger Slack ever saw.
    assert sum(1 for s in subjects if not is_resolve(s)) == 1, subjects
    assert [m["Subject"] for m in smtp.messages] == ["[CRITICAL] fault_queue_depth too high",
                                                      "[RESOLVED] fault_queue_depth too high"]
