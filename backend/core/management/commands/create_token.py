from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import TokenScope
from core.tokens import create_token, parse_expiry


class Command(BaseCommand):
    help = (
        "Create a named API token for a user and print its key, this once (only a digest is stored). "
        "Revoke it on the dashboard's Tokens page or with DELETE /api/auth/tokens/<id>/."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", choices=TokenScope.values, default=TokenScope.WRITE,
                            help="read: GET only; write: what the user may do (default); push: ingest only")
        parser.add_argument("--expires", default="",
                            help="a duration (90d, 12h, 2w) or a date (2027-01-31); never if left out")
        parser.add_argument("--name", default="", help="what the token is for (default: 'Token from create_token')")

    def handle(self, *args, username, scope, expires, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        expires_at = None
        if expires:
            try:
                expires_at = parse_expiry(expires)
            except ValueError as error:
                raise CommandError(f"--expires: {error}") from None
            if expires_at <= timezone.now():
                raise CommandError("--expires: the expiry must be in the future.")
        name = name.strip() or "Token from create_token"
        if len(name) > 100:
            raise CommandError("--name: at most 100 characters.")
        token, key = create_token(user, name, scope=scope, expires_at=expires_at)
        self.stdout.write(key)
        until = f", until {timezone.localtime(expires_at):%Y-%m-%d %H:%M %Z}" if expires_at else ", no expiry"
        self.stderr.write(f"Token {token.name!r} of {username} (scope {scope}{until}): shown only this once.")
