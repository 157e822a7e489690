"""The notification message: built once per event, stored on each delivery, rendered by each
notifier in its own way (Slack attachment, email text and HTML)."""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from monitoring.labels import describe

from ..metrics import CATALOGUE
from ..models import CONDITION_ALIASES, CONDITION_SYMBOLS, AlertHistory, NotificationEvent
from ..validators import RUNBOOK_URL_RE
from .action_links import alert_actions

# Kinds that describe one alert (the others are test and summary messages).
ALERT_EVENTS = (
    NotificationEvent.TRIGGER, NotificationEvent.REMINDER, NotificationEvent.RESOLVE, NotificationEvent.ACKNOWLEDGE,
    NotificationEvent.ESCALATION,
)
# Alert events that speak of the alert as it is now (its latest value against both thresholds),
# not as it was when it fired.
_NOW_EVENTS = (
    NotificationEvent.REMINDER, NotificationEvent.RESOLVE, NotificationEvent.ACKNOWLEDGE, NotificationEvent.ESCALATION,
)

# Alert events whose messages carry the action links (an open alert's).
_ACTION_EVENTS = (NotificationEvent.TRIGGER, NotificationEvent.REMINDER, NotificationEvent.ESCALATION)

# The colour of a message, in Slack and in email, by severity; resolved is green.
SEVERITY_COLOURS = {
    "critical": "#d00000",
    "high": "#f97316",
    "medium": "#eab308",
    "low": "#3b82f6",
}
RESOLVED_COLOUR = "#2eb67d"
NEUTRAL_COLOUR = "#64748b"


def alert_url(alert_id: int) -> str:
    return f"{settings.SITE_URL}/alerts/{alert_id}"


def format_number(value: float | None) -> str:
    """80.0 -> "80", 7.456789 -> "7.4568", 1234567.0 -> "1234567"; no exponent for everyday values."""
    if value is None:
        return "no data"
    if abs(value) >= 1e15 or (value != 0 and abs(value) < 1e-4):
        return f"{value:.6g}"
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def format_time(value: datetime | None) -> str:
    """A time in TIME_ZONE, always with its zone: "2026-11-27 14:05:00 UTC", "... CET"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%d %H:%M:%S ") + (local.tzname() or local.strftime("%z"))


# When a rule fires and when it resolves, in words: "fires above 100", "resolves at or below 70".
_FIRES = {"gt": "above", "gte": "at or above", "lt": "below", "lte": "at or below", "eq": "at", "ne": "when not"}
# Without a resolve threshold, the alert resolves as soon as the condition no longer holds.
_RESOLVES_WITHOUT_HYSTERESIS = {
    "gt": "at or below", "gte": "below", "lt": "at or above", "lte": "above", "eq": "when not", "ne": "at",
}


def _code(condition: str) -> str:
    return CONDITION_ALIASES.get(condition, condition)


def fires_phrase(condition: str, threshold: float | None, unit: str = "") -> str:
    return f"fires {_FIRES.get(_code(condition), condition)} {with_unit(threshold, unit)}"


def resolve_phrase(condition: str, threshold: float | None, resolve_threshold: float | None, unit: str = "") -> str:
    """"resolves at or below 70": the resolve threshold when the rule has one (hysteresis, for
    greater/less than rules), else the firing threshold."""
    code = _code(condition)
    if resolve_threshold is not None and code in ("gt", "gte"):
        return f"resolves at or below {with_unit(resolve_threshold, unit)}"
    if resolve_threshold is not None and code in ("lt", "lte"):
        return f"resolves at or above {with_unit(resolve_threshold, unit)}"
    return f"resolves {_RESOLVES_WITHOUT_HYSTERESIS.get(code, 'when not')} {with_unit(threshold, unit)}"


def with_unit(number: float | None, unit: str) -> str:
    text = format_number(number)
    if number is None or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


LabelPairs = tuple[tuple[str, str], ...]


def label_pairs(labels: object) -> LabelPairs:
    """Labels as (name, value) pairs sorted by name, as a message keeps them: stored as JSON (and
    PostgreSQL's jsonb does not keep the order of an object's keys), pairs keep theirs."""
    if not isinstance(labels, dict):
        return ()
    return tuple((str(name), str(value)) for name, value in sorted(labels.items()) if value != "")


def alert_label_pairs(alert: AlertHistory) -> tuple[LabelPairs, LabelPairs]:
    """An alert's labels in two parts: its group's, and the rest (the rule's, without those the
    group has: the group's win)."""
    group = label_pairs(alert.group_labels)
    in_group = {name for name, _ in group}
    labels = alert.labels if isinstance(alert.labels, dict) else {}
    return group, label_pairs({name: value for name, value in labels.items() if name not in in_group})


def format_labels(pairs: LabelPairs) -> str:
    """`route="/api/orders/" method="GET"`: labels as the messages write them."""
    return " ".join(f'{name}="{value}"' for name, value in pairs)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs and minutes < 10 else f"{minutes} min"
    return f"{secs} s"


def summary_text(summary: dict) -> str:
    """A daily summary's figures in two sentences, for the channels without a template of it."""
    by_severity = summary.get("by_severity") or {}
    severities = ", ".join(f"{name} {by_severity.get(name, 0)}" for name in SEVERITY_COLOURS)
    total = summary.get("total", 0)
    period = ""
    if summary.get("period_start") and summary.get("period_end"):
        period = f" from {summary['period_start']} to {summary['period_end']}"
    return (f"{total} alert{'' if total == 1 else 's'} triggered{period} ({severities}). "
            f"Resolved: {summary.get('resolved_count', 0)}, mean time to resolve: "
            f"{summary.get('mean_time_to_resolve') or 'n/a'}; still open: {summary.get('open_count', 0)}.")


@dataclass(frozen=True)
class NotificationMessage:
    kind: str  # a NotificationEvent value
    title: str  # the rule name, or what a test or summary message is
    time: datetime  # when the event happened
    severity: str = ""
    metric_name: str = ""
    metric_unit: str = ""
    value: float | None = None
    threshold: float | None = None
    condition: str = ""
    window_minutes: int | None = None
    aggregation: str = ""
    link: str = ""
    text: str = ""  # free text: the alert's message, resolution notes, a test message
    alert_id: int | None = None
    triggered_at: datetime | None = None
    resolved_by: str = ""  # who resolved it; "" on a resolve message = the system
    acknowledged_by: str = ""  # who acknowledged it, on an acknowledge message
    manual: bool = False  # triggered by a person, not by the rule's evaluation
    requested_by: str = ""  # who asked for a test message
    summary: dict | None = None  # the daily summary's figures (see services.summary)
    # Hysteresis: where an open alert resolves, when the rule says (else where it stops firing).
    resolve_threshold: float | None = None
    # A resolve that also tells a target that never heard the trigger: "fired and resolved".
    fired_and_resolved: bool = False
    fired_value: float | None = None
    # The alert's annotations (rendered when it opened) and labels: its group's (a grouped rule),
    # then the rule's own. Empty for an alert without them, whose messages read as before.
    alert_summary: str = ""
    runbook_url: str = ""
    group_labels: LabelPairs = ()
    rule_labels: LabelPairs = ()
    # The rule the alert belongs to (None for test and summary messages, or when the rule is gone):
    # the channels that group by rule (a webhook's groupKey) read it.
    rule_id: int | None = None
    # An open alert's one-click action links, (label, url): Acknowledge, Silence 1 h, Resolve, on its
    # trigger, reminder and escalation messages (services.action_links); () on the others.
    actions: tuple[tuple[str, str], ...] = ()
    # An escalation: the alert was not acknowledged within this many minutes.
    escalated_after_minutes: int | None = None
    # A group message (kind "group"): the alerts of one notification group (see group_alerts).
    group: dict | None = None

    # --- rendering helpers shared by the notifiers --------------------------------------------

    @property
    def is_alert(self) -> bool:
        return self.kind in ALERT_EVENTS

    @property
    def condition_symbol(self) -> str:
        return CONDITION_SYMBOLS.get(self.condition, self.condition)

    @property
    def severity_label(self) -> str:
        return self.severity.upper()

    @property
    def colour(self) -> str:
        if self.kind == NotificationEvent.RESOLVE:
            return RESOLVED_COLOUR
        if self.kind == NotificationEvent.GROUP:
            return group_colour(self)
        if self.is_alert:
            return SEVERITY_COLOURS.get(self.severity, NEUTRAL_COLOUR)
        if self.kind == NotificationEvent.TEST:
            return SEVERITY_COLOURS["low"]
        return NEUTRAL_COLOUR

    def _with_unit(self, number: float | None) -> str:
        return with_unit(number, self.metric_unit)

    @property
    def value_text(self) -> str:
        return self._with_unit(self.value)

    @property
    def threshold_text(self) -> str:
        """The condition as the rule states it: "> 80%"."""
        return f"{self.condition_symbol} {self._with_unit(self.threshold)}"

    @property
    def thresholds_text(self) -> str:
        """Both thresholds in words: "fires above 100 %, resolves at or below 70 %"."""
        return (f"{fires_phrase(self.condition, self.threshold, self.metric_unit)}, "
                f"{resolve_phrase(self.condition, self.threshold, self.resolve_threshold, self.metric_unit)}")

    @property
    def value_line(self) -> str:
        """The Value line: the value that fired against the threshold on a trigger; on a reminder
        or a resolve, the value now against both thresholds, so a value between the two (still
        firing under hysteresis) never reads as a contradiction."""
        if self.kind in _NOW_EVENTS:
            return f"now {self.value_text} ({self.thresholds_text})"
        return f"{self.value_text} (threshold {self.threshold_text})"

    @property
    def window_text(self) -> str:
        if not self.window_minutes:
            return ""
        suffix = f" ({self.aggregation})" if self.aggregation else ""
        return f"{self.window_minutes} min{suffix}"

    @property
    def time_text(self) -> str:
        return format_time(self.time)

    @property
    def triggered_at_text(self) -> str:
        return format_time(self.triggered_at)

    @property
    def group_title(self) -> str:
        """The rule name and, for a grouped rule's alert, its group:
        `Error rate per route {route="/api/orders/"}`."""
        if not self.group_labels:
            return self.title
        return f"{self.title} {describe(dict(self.group_labels))}"

    @property
    def labels_text(self) -> str:
        """Every label of the alert, its group's first: `route="/api/orders/" team="payments"`."""
        return format_labels(self.group_labels + self.rule_labels)

    @property
    def summary_line(self) -> str:
        """The rendered summary. It was rendered when the alert opened: a reminder or a resolve
        says so, as its value is not the one now."""
        if not self.alert_summary:
            return ""
        if self.kind in _NOW_EVENTS:
            return f"When it fired: {self.alert_summary}"
        return self.alert_summary

    @property
    def plain_text(self) -> str:
        """The message's body as plain text, for the channels that take a description field
        (PagerDuty, Opsgenie, a webhook's annotations): what happened, the summary, the free text;
        the figures of a daily summary."""
        if self.kind == NotificationEvent.SUMMARY:
            return summary_text(self.summary or {})
        lines = [self.headline, self.summary_line, self.text] if self.is_alert else [self.text]
        if self.kind == NotificationEvent.TEST and self.requested_by:
            lines.append(f"Requested by {self.requested_by}.")
        return "\n".join(line for line in lines if line)

    @property
    def subject(self) -> str:
        """The one-line title: email subject, Slack fallback. `[CRITICAL] High API Error Rate`,
        `[HIGH] Error rate per route {route="/api/orders/"}`."""
        if self.kind == NotificationEvent.GROUP:
            return group_subject(self)
        title = " ".join(self.group_title.split())  # no line breaks in a header
        if self.kind == NotificationEvent.RESOLVE:
            return f"[RESOLVED] {title} (fired and resolved)" if self.fired_and_resolved else f"[RESOLVED] {title}"
        if self.kind == NotificationEvent.SUPPRESSED:
            return f"[HELD BACK] {title}"
        if self.kind == NotificationEvent.ACKNOWLEDGE:
            return f"[ACKNOWLEDGED] {title}"
        if self.kind == NotificationEvent.ESCALATION:
            return f"[ESCALATED] [{self.severity_label}] {title}"
        if self.kind == NotificationEvent.FLAPPING:
            return f"[FLAPPING] {title}"
        if self.kind == NotificationEvent.REMINDER:
            return f"[{self.severity_label}] {title} (still firing)"
        if self.kind == NotificationEvent.TEST:
            return f"[TEST] {title}"
        if self.kind == NotificationEvent.SUMMARY:
            return f"[SUMMARY] {title}"
        return f"[{self.severity_label}] {title}"

    @property
    def headline(self) -> str:
        """What happened, in one sentence."""
        if not self.is_alert:
            return self.text
        if self.kind in _NOW_EVENTS:
            # The value now, with both thresholds: under hysteresis an alert stays open below
            # the firing threshold, and "is 80, threshold > 100" would read as a contradiction.
            now = "has no data" if self.value is None else f"is now {self.value_text}"
            facts = f"{self.metric_name} {now} ({self.thresholds_text})."
        elif self.value is None:
            # A rule that alerts on missing data, or a manual trigger without a measurement.
            facts = f"{self.metric_name} has no data (threshold {self.threshold_text})."
        else:
            facts = f"{self.metric_name} is {self.value_text}, threshold {self.threshold_text}."
        if self.kind == NotificationEvent.REMINDER:
            since = f" since {self.triggered_at_text}" if self.triggered_at else ""
            return f"Still firing{since}: {facts}"
        if self.kind == NotificationEvent.ACKNOWLEDGE:
            return f"Acknowledged by {self.acknowledged_by or 'someone'}; still firing: {facts}"
        if self.kind == NotificationEvent.ESCALATION:
            return f"{self.escalation_text}; still firing: {facts}"
        if self.kind == NotificationEvent.RESOLVE:
            by = f"by {self.resolved_by}" if self.resolved_by else "automatically"
            if self.fired_and_resolved:
                fired = "" if self.fired_value is None else f" with {self._with_unit(self.fired_value)}"
                return (f"Fired at {self.triggered_at_text}{fired} and resolved {by} at {self.time_text}, "
                        f"before the alert could be sent: {facts}")
            return f"Resolved {by}: {facts}"
        if self.manual:
            return f"Triggered manually: {facts}"
        return facts

    @property
    def escalation_text(self) -> str:
        """"Escalated: not acknowledged for 15 min" on an escalation, else ""."""
        if self.kind != NotificationEvent.ESCALATION:
            return ""
        return f"Escalated: not acknowledged for {self.escalated_after_minutes or 0} min"

    # --- storage on NotificationDelivery.payload ----------------------------------------------

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        for key in ("time", "triggered_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "NotificationMessage":
        known = {field.name for field in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        for key in ("time", "triggered_at"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        for key in ("group_labels", "rule_labels", "actions"):  # JSON has lists where the message has tuples
            if key in values:
                values[key] = tuple((str(name), str(value)) for name, value in values[key] or ())
        return cls(**values)


def build_alert_message(
    *, alert: AlertHistory, event: str, now: datetime | None = None, escalated_after_minutes: int | None = None,
) -> NotificationMessage:
    """The message for a trigger, reminder, resolve, acknowledge or escalation event of `alert`.

    The value is the one that fired (trigger) or the latest one (reminder, resolve); the window
    and aggregation are those the alert engine recorded in `alert.context`, else the rule's.
    """
    if event not in ALERT_EVENTS:
        raise ValueError(f"{event!r} is not an alert event")
    rule = alert.rule
    context = alert.context if isinstance(alert.context, dict) else {}
    metric = CATALOGUE.get(alert.metric_name)
    if event == NotificationEvent.TRIGGER:
        value = alert.metric_value
        time = alert.triggered_at
        text = alert.message
    elif event in (NotificationEvent.REMINDER, NotificationEvent.ESCALATION):
        value = alert.last_value if alert.last_value is not None else alert.metric_value
        time = now or timezone.now()
        text = alert.message
    elif event == NotificationEvent.ACKNOWLEDGE:
        value = alert.last_value if alert.last_value is not None else alert.metric_value
        time = alert.acknowledged_at or now or timezone.now()
        text = alert.acknowledged_comment
    else:
        value = alert.last_value if alert.last_value is not None else alert.metric_value
        time = alert.resolved_at or now or timezone.now()
        text = alert.resolution_notes
    if event in (NotificationEvent.REMINDER, NotificationEvent.ESCALATION) and text:
        # The trigger's sentence has the value that fired, not the value now.
        text = f"When it fired: {text}"
    resolved_by = acknowledged_by = ""
    if event == NotificationEvent.RESOLVE and (user := alert.resolved_by) is not None:
        resolved_by = user.get_full_name() or user.get_username()
    if event == NotificationEvent.ACKNOWLEDGE and (user := alert.acknowledged_by) is not None:
        acknowledged_by = user.get_full_name() or user.get_username()
    group_labels, rule_labels = alert_label_pairs(alert)
    # Validated when the rule was saved; checked again so nothing else ever becomes a link.
    runbook_url = alert.runbook_url if RUNBOOK_URL_RE.fullmatch(alert.runbook_url or "") else ""
    return NotificationMessage(
        kind=NotificationEvent(event).value,
        title=alert.rule_name,
        time=time,
        severity=alert.severity,
        metric_name=alert.metric_name,
        metric_unit=metric.unit if metric else "",
        value=value,
        threshold=alert.threshold_value,
        condition=alert.condition,
        window_minutes=context.get("window_minutes") or (rule.time_window_minutes if rule else None),
        aggregation=context.get("aggregation") or (rule.effective_aggregation if rule else ""),
        link=alert_url(alert.pk),
        text=text or "",
        alert_id=alert.pk,
        triggered_at=alert.triggered_at,
        resolved_by=resolved_by,
        acknowledged_by=acknowledged_by,
        manual=alert.manual,
        resolve_threshold=(
            context["resolve_threshold"] if "resolve_threshold" in context
            else (rule.resolve_threshold if rule else None)
        ),
        alert_summary=alert.summary or "",
        runbook_url=runbook_url,
        group_labels=group_labels,
        rule_labels=rule_labels,
        rule_id=alert.rule_id,
        actions=alert_actions(alert.pk) if event in _ACTION_EVENTS and alert.status == "active" else (),
        escalated_after_minutes=escalated_after_minutes if event == NotificationEvent.ESCALATION else None,
    )


def _rule_notice(kind: str, *, alert: AlertHistory, text: str, now: datetime | None, **extra) -> NotificationMessage:
    """A notice about `alert`'s rule (not one of the alert's own events): its name, metric and
    threshold, `text` saying what happened, and a link to the alert."""
    metric = CATALOGUE.get(alert.metric_name)
    return NotificationMessage(
        kind=kind,
        title=alert.rule.name if alert.rule else alert.rule_name,
        time=now or timezone.now(),
        severity=alert.severity,
        metric_name=alert.metric_name,
        metric_unit=metric.unit if metric else "",
        threshold=alert.threshold_value,
        condition=alert.condition,
        link=alert_url(alert.pk),
        text=text,
        alert_id=alert.pk,
        triggered_at=alert.triggered_at,
        rule_id=alert.rule_id,
        **extra,
    )


def build_flapping_message(
    *, alert: AlertHistory, text: str, now: datetime | None = None,
) -> NotificationMessage:
    """The notice that a rule (or a group of it) began or stopped flapping; `text` says which,
    with the state changes counted and what is, or is no longer, held back."""
    group_labels, rule_labels = alert_label_pairs(alert)
    return _rule_notice(NotificationEvent.FLAPPING.value, alert=alert, text=text, now=now,
                        group_labels=group_labels, rule_labels=rule_labels)


def build_suppressed_message(*, alert: AlertHistory, text: str, now: datetime | None = None) -> NotificationMessage:
    """The one notice of a suppression episode: the rule's alerts are held back, and until when."""
    return _rule_notice(NotificationEvent.SUPPRESSED.value, alert=alert, text=text, now=now)


def build_test_message(*, text: str, user=None, now: datetime | None = None) -> NotificationMessage:
    return NotificationMessage(
        kind=NotificationEvent.TEST.value,
        title="Resee Alerts test notification",
        time=now or timezone.now(),
        text=text,
        link=settings.SITE_URL,
        requested_by=(user.get_username() if user is not None else ""),
    )


def build_summary_message(*, summary: dict, now: datetime | None = None) -> NotificationMessage:
    total = summary.get("total", 0)
    return NotificationMessage(
        kind=NotificationEvent.SUMMARY.value,
        title=f"Resee Alerts daily summary: {total} alert{'' if total == 1 else 's'} in the last 24 hours",
        time=now or timezone.now(),
        link=f"{settings.SITE_URL}/alerts",
        summary=summary,
    )


# --- group messages (a policy with group_by, services.grouping) ------------------------------------
# A group message's `group` holds its alerts as entries (build_group_entry): what each channel
# lists, firing ones first. Its `text` is group_text(), the list in plain text, which the channels
# that render a message's text as it is (Discord, Teams, Telegram, ntfy, Apprise, Opsgenie) send.


def build_group_entry(alert: AlertHistory, *, now: datetime | None = None) -> dict:
    """One alert as a group message lists it: firing (the value now against the threshold) or
    resolved (the value now against both thresholds, and when)."""
    resolved = alert.status == "resolved"
    event = NotificationEvent.RESOLVE if resolved else NotificationEvent.TRIGGER
    message = build_alert_message(alert=alert, event=event, now=now)
    if not resolved and alert.last_value is not None:
        message = dataclasses.replace(message, value=alert.last_value)
    acknowledged_by = ""
    if not resolved and alert.acknowledged_at is not None:
        user = alert.acknowledged_by
        acknowledged_by = (user.get_full_name() or user.get_username()) if user is not None else "someone"
    return {
        "alert_id": alert.pk, "status": "resolved" if resolved else "firing", "title": message.group_title,
        "rule": message.title, "rule_id": alert.rule_id, "severity": alert.severity,
        "metric_name": alert.metric_name, "value_text": message.value_text, "threshold_text": message.threshold_text,
        "value_line": message.value_line, "link": message.link,
        "labels": [list(pair) for pair in message.group_labels + message.rule_labels],
        "starts_at": alert.triggered_at.isoformat(),
        "ends_at": alert.resolved_at.isoformat() if resolved and alert.resolved_at else None,
        "summary": message.alert_summary, "runbook_url": message.runbook_url, "acknowledged_by": acknowledged_by,
    }


def group_alerts(message: NotificationMessage, status: str = "") -> list[dict]:
    """The entries of a group message (those of one `status`, "firing" or "resolved", if given)."""
    entries = list((message.group or {}).get("alerts") or [])
    return [entry for entry in entries if not status or entry.get("status") == status]


def group_subject(message: NotificationMessage) -> str:
    """`[FIRING:3] High error rate (route=/api/orders/)`, or `[RESOLVED] ...` once none fires:
    the status, the title and the group's labels, as Alertmanager's default title reads."""
    group = message.group or {}
    firing = int(group.get("firing_count") or 0)
    status = f"FIRING:{firing}" if firing else "RESOLVED"
    labels = " ".join(f"{name}={value}" for name, value in group.get("labels") or [])
    text = f"[{status}] {message.title} ({labels})" if labels else f"[{status}] {message.title}"
    return " ".join(text.split())  # no line breaks in a header


def group_colour(message: NotificationMessage) -> str:
    if (message.group or {}).get("firing_count"):
        return SEVERITY_COLOURS.get(message.severity, NEUTRAL_COLOUR)
    return RESOLVED_COLOUR


def group_entry_line(entry: dict) -> str:
    """`[HIGH] Error rate per route {route="/a"}: 12% (threshold > 5%), firing since ...`."""
    line = f"[{str(entry.get('severity', '')).upper()}] {entry.get('title', '')}: {entry.get('value_line', '')}"
    if entry.get("status") == "resolved":
        ends_at = entry.get("ends_at")
        return line + (f", resolved at {format_time(datetime.fromisoformat(ends_at))}" if ends_at else ", resolved")
    starts_at = entry.get("starts_at")
    if starts_at:
        line += f", firing since {format_time(datetime.fromisoformat(starts_at))}"
    if entry.get("acknowledged_by"):
        line += f", acknowledged by {entry['acknowledged_by']}"
    return line


def group_text(message: NotificationMessage, *, escape=None, link=None) -> str:
    """The alerts of a group message, firing then resolved, one line each with its link:
    `escape` makes a text safe for the channel's markup, `link(url, text)` a link in it (None:
    the address itself after the line)."""
    escape = escape or (lambda text: text)
    group = message.group or {}
    firing, resolved = int(group.get("firing_count") or 0), int(group.get("resolved_count") or 0)
    lines = [escape(f"{firing} firing, {resolved} resolved.")]
    for status, heading in (("firing", "Firing:"), ("resolved", "Resolved:")):
        entries = group_alerts(message, status)
        if entries:
            lines.append(heading)
        for entry in entries:
            url = str(entry.get("link") or "")
            where = link(url, f"#{entry.get('alert_id')}") if link else url
            lines.append(f"- {escape(group_entry_line(entry))} {where}".rstrip())
    left_out = int(group.get("truncated") or 0)
    if left_out:
        lines.append(escape(f"... and {left_out} more."))
    return "\n".join(lines)
