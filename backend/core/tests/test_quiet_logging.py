"""Celery's routine lines about the tasks beat runs every few seconds stay out of the console;
everything else, and every warning about them, gets through."""

import logging

from core.quiet_logging import FrequentTaskRuns


def record(name: str, level: int, message: str, *args) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, message, args, None)


def test_routine_runs_of_frequent_tasks_are_left_out_and_the_rest_kept():
    quiet = FrequentTaskRuns()
    task = "alerts.tasks.flush_notification_groups"

    assert not quiet.filter(record("celery.beat", logging.INFO, "Scheduler: Sending due task %s (%s)",
                                   "flush-notification-groups", task))
    assert not quiet.filter(record("celery.worker.strategy", logging.INFO, "Task %s[%s] received", task, "ab12"))
    assert not quiet.filter(record("celery.app.trace", logging.INFO, "Task %(name)s[%(id)s] succeeded in "
                                   "%(runtime)ss: %(return_value)s",
                                   {"name": task, "id": "ab12", "runtime": 0.01, "return_value": {"sent": 0}}))
    # A failure or a retry of one, the other tasks' runs, and what the task itself says are kept.
    assert quiet.filter(record("celery.app.trace", logging.ERROR, "Task %s[%s] raised unexpected: %s", task, "ab12",
                               "ValueError"))
    assert quiet.filter(record("celery.beat", logging.INFO, "Scheduler: Sending due task %s (%s)",
                               "check-alert-rules", "alerts.tasks.check_alert_rules"))
    assert quiet.filter(record("alerts.tasks", logging.INFO, "flush_notification_groups: %s group messages", 2))


def test_with_log_level_debug_every_run_is_kept():
    line = record("celery.beat", logging.INFO, "Scheduler: Sending due task %s (%s)", "flush-notification-groups",
                  "alerts.tasks.flush_notification_groups")
    assert FrequentTaskRuns(keep=True).filter(line)
    assert not FrequentTaskRuns().filter(line)


def test_the_console_handler_uses_it(settings):
    assert "frequent_task_runs" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["filters"]["frequent_task_runs"]["()"] == "core.quiet_logging.FrequentTaskRuns"
