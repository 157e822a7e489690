from django.core.management.base import BaseCommand

from alerts.services.selfwatch import ensure_watchdog_rule


class Command(BaseCommand):
    help = (
        "Make the built-in Watchdog rule (watchdog > 0: always firing while rules are evaluated, low, "
        "re-notified every 5 minutes), switched off, unless a rule named Watchdog exists; --activate "
        "switches it on. Route it to a dead-man service (docs/operations.md, Watching the watcher)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activate", action="store_true", help="switch the rule on")

    def handle(self, *args, activate, **options):
        rule, created = ensure_watchdog_rule(activate=activate)
        made = "Created" if created else "Found"
        state = "active" if rule.is_active else "switched off (run again with --activate)"
        self.stdout.write(f"{made} rule #{rule.pk} {rule.name!r}: {state}.")
