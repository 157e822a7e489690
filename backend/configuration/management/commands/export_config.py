"""manage.py export_config [--kinds rules,channels] [--format yaml|json] [-o FILE]"""

from django.core.management.base import BaseCommand, CommandError

from configuration.document import DocumentError, dumps
from configuration.services import export_document, parse_kinds


class Command(BaseCommand):
    help = "Write the configuration (rules, channels, policies, ...) as one resee/v1 document."

    def add_arguments(self, parser):
        parser.add_argument("--kinds", default="", help="Comma-separated kinds (default: all).")
        parser.add_argument("--format", default="yaml", choices=["yaml", "json"])
        parser.add_argument("-o", "--output", default="-", help="A file (default: standard output).")

    def handle(self, *args, **options):
        try:
            text = dumps(export_document(parse_kinds(options["kinds"])), options["format"])
        except DocumentError as error:
            raise CommandError(_said(error)) from None
        if options["output"] == "-":
            self.stdout.write(text, ending="")
        else:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)


def _said(error: DocumentError) -> str:
    return "\n".join(f"{path}: {message}" if path else message
                     for path, messages in error.errors.items() for message in messages)
