# The groups "Alert viewers", "Alert managers" and "Metric pushers" with their permissions
# (core/roles.py).

from django.db import migrations

from core.roles import remove_groups, sync_groups


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_alert_reminded_at"),
        ("monitoring", "0003_request_totals_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_groups, remove_groups)]
