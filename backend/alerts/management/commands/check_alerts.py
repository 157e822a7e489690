from django.core.management.base import BaseCommand

from alerts.services.alert_engine import AlertEngine
from alerts.services.messages import format_number


class Command(BaseCommand):
    help = "Run one evaluation tick now and print, per active rule, its value, state and what was done."

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
                d.error or d.reason,
            ))
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
        if not report.decisions:
            self.stdout.write("No active rules.")
        if not dry_run:
            self.stdout.write(f"\n{report.summary()}")
