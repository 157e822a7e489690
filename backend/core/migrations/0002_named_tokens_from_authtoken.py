"""Every key of DRF's authtoken (rest_framework.authtoken, one clear-text key per user) becomes a
named API token of scope write that keeps working until it is revoked, and the clear keys are
deleted. The authtoken app is no longer installed, so its table is read with SQL, if it exists
(a database created after the change never had one)."""

import hashlib
from datetime import UTC, datetime

from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

NAME = "Token from before named tokens"
TABLE = "authtoken_token"


def _moment(value) -> datetime:
    # SQLite's raw rows hold text (in UTC), PostgreSQL's an aware datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return timezone.now()
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("core", "ApiToken")
    table = schema_editor.quote_name(TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id, created FROM {table}")
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        digest = hashlib.sha256(key.encode()).hexdigest()
        if not ApiToken.objects.filter(digest=digest).exists():
            ApiToken.objects.create(user_id=user_id, name=NAME, digest=digest, hint=key[:4], scope="write",
                                    created_at=_moment(created))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
