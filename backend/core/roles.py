"""The groups that give people (and machines) their permissions, as data: the migration that
creates them and the tests read this. Superusers need no group.

- Alert viewers: read everything (rules, alert history, deliveries, telemetry); change nothing.
- Alert managers: everything viewers may, and create, change and delete rules, resolve alerts,
  send test notifications, trigger alerts by hand, resolve and delete error groups, push metrics,
  create and revoke push tokens, add, change, test and delete data sources, notification channels
  and notification policies, and add, change, expire and delete silences and maintenance windows,
  and add, change and delete inhibition rules, and add, change, run and delete checks, and read
  the audit trail of configuration changes.
  Viewers see channels, never their secrets.
- Metric pushers: for machine accounts of other systems: push metric samples and AI usage through
  `POST /api/monitoring/metrics/` and `/api/monitoring/ai-usage/`, and nothing else.
"""

VIEWERS = "Alert viewers"
MANAGERS = "Alert managers"
PUSHERS = "Metric pushers"

_ALERT_MODELS = (
    "alertrule", "alerthistory", "notificationdelivery", "notificationchannel", "notificationpolicy", "silence",
    "maintenancewindow", "inhibitionrule",
)
_MONITORING_MODELS = (
    "metricsample", "requestrollup", "errorlog", "errorcount", "aiusage", "activeuserminute", "pushtoken",
    "datasource", "check", "checkresult",
)

_VIEW = [f"alerts.view_{m}" for m in _ALERT_MODELS] + [f"monitoring.view_{m}" for m in _MONITORING_MODELS]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    VIEWERS: _VIEW,
    MANAGERS: [
        *_VIEW,
        "alerts.add_alertrule", "alerts.change_alertrule", "alerts.delete_alertrule",
        "alerts.change_alerthistory",
        "alerts.add_notificationchannel", "alerts.change_notificationchannel", "alerts.delete_notificationchannel",
        "alerts.add_notificationpolicy", "alerts.change_notificationpolicy", "alerts.delete_notificationpolicy",
        "alerts.add_silence", "alerts.change_silence", "alerts.delete_silence",
        "alerts.add_maintenancewindow", "alerts.change_maintenancewindow", "alerts.delete_maintenancewindow",
        "alerts.add_inhibitionrule", "alerts.change_inhibitionrule", "alerts.delete_inhibitionrule",
        "monitoring.change_errorlog", "monitoring.delete_errorlog",
        "monitoring.add_metricsample", "monitoring.add_aiusage",
        "monitoring.add_pushtoken", "monitoring.delete_pushtoken",
        "monitoring.add_datasource", "monitoring.change_datasource", "monitoring.delete_datasource",
        "monitoring.add_check", "monitoring.change_check", "monitoring.delete_check",
        # The audit trail of configuration changes (/api/audit/).
        "auditlog.view_logentry",
    ],
    PUSHERS: ["monitoring.add_metricsample", "monitoring.add_aiusage"],
}


def sync_groups(apps, schema_editor=None) -> None:
    """Create the groups and give each its permissions (adding, never taking away what an
    administrator added). Usable from a migration (historical models) or at run time; a
    migration that adds a model named here runs it again."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; these groups need them now.
    for app_config in apps.get_app_configs():
        if apps is global_apps:
            create_permissions(app_config, verbosity=0)
            continue
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for label in wanted:
            app_label, codename = label.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:
                continue  # its model comes with a later migration, which syncs the groups again
            group.permissions.add(permission)


def remove_groups(apps, schema_editor=None) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUP_PERMISSIONS)).delete()
