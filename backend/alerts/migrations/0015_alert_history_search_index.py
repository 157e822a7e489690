"""The alert history's full-text search document (alerts/search.py), on PostgreSQL only: a stored
generated column of the searched fields, punctuation turned into spaces, and its GIN index. It is
not a model field (other databases have no tsvector and search without it); the database keeps it
up to date on every insert and update."""

from django.db import migrations

SEARCHED = "rule_name || ' ' || message || ' ' || summary || ' ' || resolution_notes || ' ' || acknowledged_comment"

ADD = f"""
ALTER TABLE alerts_alerthistory ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, regexp_replace({SEARCHED} || ' ' || labels::text, '[^[:alnum:]]+', ' ', 'g'))
) STORED;
CREATE INDEX alerthistory_search ON alerts_alerthistory USING gin (search_document);
"""

DROP = """
DROP INDEX IF EXISTS alerthistory_search;
ALTER TABLE alerts_alerthistory DROP COLUMN IF EXISTS search_document;
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0014_audit_versions")]

    operations = [migrations.RunPython(add, drop, elidable=False)]
