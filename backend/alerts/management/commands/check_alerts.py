from django.core.management.base import BaseCommand

from alerts.services.alert_engine import AlertEngine
from alerts.services.messages import format_number
from alerts.services.tick_lock import engine_status


class Command(BaseCommand):
    help = (
        "Run one evaluation tick now and print, per active rule, its value, state and what was done (and why: "
        "the reason of a suppressed or failing rule), then how the scheduled ticks are doing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="evaluate and print what would be done, changing nothing"
        )

    def handle(self, *args, dry_run, **options):
        report = AlertEngine().run(dry_run=dry_run)
        rows = [("rule", "metric", "value", "state", "would do" if dry_run else "action", "why")]
        for d in report.decisions:
            rows.append((
                f"#{d.rule.id} {d.rule.name}"[:40],
                d.rule.metric_name,
                "error" if d.error else format_number(d.value),
                d.state,
                d.action,
                d.error or d.state_reason or d.reason,
            ))
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
        if not report.decisions:
            self.stdout.write("No active rules.")
        if not dry_run:
            self.stdout.write(f"\n{report.summary()}")
        status = engine_status()
        skipped = ", ".join(f"{reason}: {n}" for reason, n in status["skipped_by_reason"].items())
        self.stdout.write(
            f"\nScheduled ticks: last at {status['last_tick_at'] or 'never'}"
            + (f" ({status['last_tick_seconds']} s)" if status["last_tick_seconds"] is not None else "")
            + f"; skipped {status['skipped_ticks']}" + (f" ({skipped})" if skipped else "")
            + (f"; last skipped at {status['last_skipped_at']}: {status['last_skip_reason']}"
               if status["last_skipped_at"] else "")
        )
