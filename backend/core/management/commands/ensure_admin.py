import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create the first superuser when there is none. The password is ADMIN_PASSWORD when set, "
        "otherwise a random one printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=settings.ADMIN_USERNAME)
        parser.add_argument("--email", default=settings.ADMIN_EMAIL)

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        with transaction.atomic():
            if User.objects.filter(is_superuser=True).exists():
                self.stdout.write("An admin user exists already; not creating another.")
                return
            generated = not settings.ADMIN_PASSWORD
            password = settings.ADMIN_PASSWORD or secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email=email, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created admin user '{username}'."))
        if generated:
            self.stdout.write(
                f"  password: {password}\n"
                "  It is shown only this once. To set another: "
                f"make manage ARGS='changepassword {username}'"
            )
