from django.core.management.base import BaseCommand, CommandError

from monitoring.services import create_push_token


class Command(BaseCommand):
    help = "Create a push token for an OpenTelemetry exporter (or the ingest API) and print it, once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the token is for, e.g. the service's name.")

    def handle(self, *args, name: str, **options):
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("The name must be 1 to 100 characters.")
        _, text = create_push_token(name)
        self.stdout.write(text)
