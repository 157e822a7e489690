"""manage.py import_config FILE [--dry-run] [--prune] [--user NAME], or --prometheus FILE --data-source NAME"""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from configuration.document import DocumentError, loads
from configuration.prometheus_rules import import_rule_file
from configuration.provisioning import locked_by_file
from configuration.services import apply_document
from core import audit

from .export_config import _said


class Command(BaseCommand):
    help = "Apply a resee/v1 configuration document (YAML or JSON), all or nothing; prints the diff."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The document; - reads standard input.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; save nothing.")
        parser.add_argument("--prune", action="store_true",
                            help="Delete what the document does not name, in the kinds it lists.")
        parser.add_argument("--prometheus", action="store_true",
                            help="FILE is a Prometheus alerting rule file: its rules become PromQL rules.")
        parser.add_argument("--data-source", default="", help="With --prometheus: the data source's name.")
        parser.add_argument("--user", default="",
                            help="The user the audit trail attributes the changes to (an existing, active one).")

    def handle(self, *args, **options):
        try:
            if options["file"] == "-":
                import sys

                text = sys.stdin.read()
            else:
                with open(options["file"], "rb") as handle:
                    text = handle.read()
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}") from None
        if options["prometheus"] and not options["data_source"]:
            raise CommandError("--prometheus needs --data-source NAME: the data source the rules query.")
        if options["prometheus"] and options["prune"]:
            raise CommandError("--prune is for resee/v1 documents, not Prometheus rule files.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(is_active=True, **{
                get_user_model().USERNAME_FIELD: options["user"]}).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}: nothing was changed.")
        try:
            with audit.acting(audit.IMPORT, user=user):
                if options["prometheus"]:
                    result, skipped = import_rule_file(loads(text), data_source=options["data_source"],
                                                       dry_run=options["dry_run"])
                    answer = {**result.as_dict(), "skipped_recording_rules": skipped}
                else:
                    answer = apply_document(loads(text), dry_run=options["dry_run"], prune=options["prune"],
                                            locked=locked_by_file).as_dict()
        except DocumentError as error:
            raise CommandError(f"Nothing was changed:\n{_said(error)}") from None
        self.stdout.write(json.dumps(answer, indent=2))
