from dataclasses import dataclass

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from core import secrets
from core.fields import EncryptedJSONField


@dataclass
class Rotated:
    label: str
    rotated: int = 0
    unreadable: int = 0


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedJSONField]]:
    """Every EncryptedJSONField column of the installed models, each once (a proxy model shares
    its table, a child model's inherited field is its parent's column)."""
    return [
        (model, field)
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, EncryptedJSONField)
    ]


def rotate_column(model: type[models.Model], field: EncryptedJSONField) -> Rotated:
    """Encrypts every stored token of one column again with the first key. Tokens no configured
    key decrypts are left as they are, and counted."""
    result = Rotated(f"{model._meta.label}.{field.name}")
    # The stored token as text, not decrypted by the field.
    rows = list(
        model._base_manager.select_for_update()
        .filter(**{f"{field.name}__isnull": False})
        .annotate(stored_token=Cast(field.name, models.TextField()))
        .values_list("pk", "stored_token")
    )
    for pk, token in rows:
        if not token:
            continue
        try:
            new_token = secrets.rotate(token)
        except secrets.SecretUnreadable:
            result.unreadable += 1
            continue
        stored = models.Value(new_token, output_field=models.TextField())  # written as it is, not encrypted again
        model._base_manager.filter(pk=pk).update(**{field.name: stored})
        result.rotated += 1
    return result


class Command(BaseCommand):
    help = (
        "Encrypt every stored secret again with the first key of SECRETS_ENCRYPTION_KEYS, after a new "
        "key was put first; the old keys can be removed afterwards."
    )

    def handle(self, *args, **options):
        secrets.fernet()  # a key that is not one stops here, before anything is read
        with transaction.atomic():
            results = [rotate_column(model, field) for model, field in encrypted_fields()]
        for result in results:
            line = f"{result.label}: {result.rotated} re-encrypted"
            if result.unreadable:
                line += f", {result.unreadable} unreadable"
            self.stdout.write(line)
        rotated = sum(result.rotated for result in results)
        unreadable = sum(result.unreadable for result in results)
        self.stdout.write(f"Re-encrypted {rotated} stored secrets in {len(results)} columns.")
        if unreadable:
            raise CommandError(
                f"{unreadable} stored secrets could not be decrypted with any configured key and were left as "
                "they are: keep the keys they were encrypted with in SECRETS_ENCRYPTION_KEYS, or enter those "
                "secrets again."
            )
