"""Silences and maintenance windows (docs/architecture.md §10): what holds an alert's notifications
back right now, and the sweep that sends the one message an alert is owed once nothing holds it.

A silence or a window matches the values a policy's matchers see (channels.routing_labels): the
alert's labels and its severity, category, metric and rule. While one matches, every delivery of
the alert (trigger, reminder, resolve, acknowledge, suppressed) is written as skipped with the
reason, and nothing is sent (notifications.queue_alert_notifications asks `holds_for_alert`).
When nothing holds an alert any more, lifecycle.release_held_alerts sends the one message it is owed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from monitoring.labels import Matcher, matches_all, parse_matchers

from ..models import AlertHistory, AlertStatus, MaintenanceWindow, Silence
from .channels import routing_labels
from .messages import format_time

SILENCE = "silence"
MAINTENANCE_WINDOW = "maintenance window"


@dataclass(frozen=True)
class Hold:
    """An active silence or maintenance window, as matching needs it."""

    kind: str  # SILENCE or MAINTENANCE_WINDOW
    pk: int
    matchers: tuple[Matcher, ...]
    until: datetime
    comment: str

    def matches(self, values: Mapping[str, str]) -> bool:
        return matches_all(values, self.matchers)

    @property
    def reason(self) -> str:
        """What a skipped delivery says: "Silenced by silence #3 until 2026-11-27 14:00:00 UTC: deploy"."""
        return f"Silenced by {self.kind} #{self.pk} until {format_time(self.until)}: {self.comment}"


def active_holds(now: datetime | None = None) -> list[Hold]:
    """Every silence and maintenance window active at `now`: two queries, whatever the number of
    alerts they are then matched against."""
    now = now or timezone.now()
    holds = [
        Hold(SILENCE, silence.pk, parse_matchers(silence.matchers), silence.ends_at, silence.comment)
        for silence in Silence.objects.filter(starts_at__lte=now, ends_at__gt=now).order_by("pk")
    ]
    for window in MaintenanceWindow.objects.order_by("pk"):
        occurrence = window.occurrence_at(now)
        if occurrence is not None:
            holds.append(Hold(MAINTENANCE_WINDOW, window.pk, parse_matchers(window.matchers), occurrence[1],
                              window.comment))
    return holds


def matching(values: Mapping[str, str], holds: Iterable[Hold]) -> list[Hold]:
    return [hold for hold in holds if hold.matches(values)]


def holds_for_alert(
    alert: AlertHistory, *, now: datetime | None = None, holds: Iterable[Hold] | None = None,
) -> list[Hold]:
    """The active silences and windows that match `alert`, the one that lasts longest first."""
    found = matching(routing_labels(alert=alert, rule=alert.rule), active_holds(now) if holds is None else holds)
    return sorted(found, key=lambda hold: hold.until, reverse=True)


def silenced_by(alert: AlertHistory, holds: Iterable[Hold]) -> dict[str, list[int]]:
    """The ids of the silences and windows holding an open alert (the API's `silenced_by`). Reads
    the alert's own fields only (its labels, severity, metric, rule name): no query per alert."""
    if alert.status != AlertStatus.ACTIVE:
        return {"silences": [], "maintenance_windows": []}
    found = matching(routing_labels(alert=alert), holds)
    return {"silences": [h.pk for h in found if h.kind == SILENCE],
            "maintenance_windows": [h.pk for h in found if h.kind == MAINTENANCE_WINDOW]}


def open_alerts_matching(matchers, *, limit: int = 200) -> tuple[int, list[AlertHistory]]:
    """The open alerts `matchers` (valid ones) would hold: how many, and the newest `limit` of them."""
    parsed = parse_matchers(matchers)
    alerts = AlertHistory.objects.filter(status=AlertStatus.ACTIVE).order_by("-triggered_at", "-id")
    found = [alert for alert in alerts if matches_all(routing_labels(alert=alert), parsed)]
    return len(found), found[:limit]
