"""The housekeeping tasks that beat runs every few seconds (flushing notification groups, sweeping
the checks) would write three INFO lines each time to the console: beat sending the task, the
worker receiving it, and its success. Those routine lines are left out, so the log of a quiet system
stays quiet; what the tasks do (a group message sent, a check down) is logged by the tasks
themselves, and Celery's warnings and errors about them (a failure, a retry) pass as always."""

import logging

# Celery's loggers of the three routine lines.
CELERY_ROUTINE_LOGGERS = frozenset({"celery.beat", "celery.worker.strategy", "celery.app.trace"})
# The tasks run every few seconds, by their task name and beat entry name.
FREQUENT_TASKS = (
    "alerts.tasks.flush_notification_groups", "flush-notification-groups",
    "monitoring.tasks.sweep_checks", "sweep-checks",
)


class FrequentTaskRuns(logging.Filter):
    """Drops Celery's INFO (and DEBUG) lines about each run of a task in FREQUENT_TASKS, unless
    `keep` (LOG_LEVEL=DEBUG: whoever debugs sees every run)."""

    def __init__(self, keep: bool = False):
        super().__init__()
        self.keep = keep

    def filter(self, record: logging.LogRecord) -> bool:
        if self.keep or record.levelno >= logging.WARNING or record.name not in CELERY_ROUTINE_LOGGERS:
            return True
        text = record.getMessage()
        return not any(name in text for name in FREQUENT_TASKS)
