"""Validators and parsers for alert rules, shared by the models, the admin and the API serializers.

Each validator raises django.core.exceptions.ValidationError with a message meant for the person
who typed the value; DRF turns those into field errors, model `full_clean()` does the same.
"""

import math
import re
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from monitoring import labels
from monitoring.catalogue import METRIC_NAME

from . import summary_template
from .metrics import CATALOGUE, get_metric

MIN_WINDOW_MINUTES = 1
MAX_WINDOW_MINUTES = 60
MAX_EMAIL_RECIPIENTS = 50
SLACK_CHANNEL_MAX_LENGTH = 80
# `#channel` or `@user`: the characters Slack allows in channel names (lowercase letters, digits,
# hyphens, underscores, periods).
SLACK_CHANNEL_RE = re.compile(r"^[#@][a-z0-9._-]+$")
# Commas as in the product document ("dev@resee.com,ops@resee.com"); semicolons and whitespace too,
# as people paste them from mail clients.
_RECIPIENT_SEPARATORS = re.compile(r"[,;\s]+")

_email_validator = EmailValidator()

CONDITION_CODES = ("gt", "gte", "lt", "lte", "eq", "ne")
# The product document's symbols, accepted wherever a condition is read as the codes they stand
# for; the code is what is stored.
CONDITION_ALIASES = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "eq", "==": "eq", "!=": "ne"}
# Every way a condition may be written (the schema's enum of a condition that is read).
CONDITION_INPUTS = (*CONDITION_CODES, *CONDITION_ALIASES)


def normalize_condition(value):
    """The stored code for a condition written as a code or as a symbol (" >= " -> "gte");
    anything else is returned as it came, for the field's choices to refuse."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped in CONDITION_ALIASES:
            return CONDITION_ALIASES[stripped]
        if stripped.lower() in CONDITION_CODES:
            return stripped.lower()
    return value


def validate_finite(value):
    """A threshold must be a real number: NaN never compares true and infinity always does, so
    either would make a rule that silently never or always fires."""
    if value is None:
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError("Enter a number.", code="not_a_number") from None
    if not math.isfinite(number):
        raise ValidationError("Enter a finite number (not NaN or infinity).", code="not_finite")


def validate_time_window(value):
    if value is None or not MIN_WINDOW_MINUTES <= value <= MAX_WINDOW_MINUTES:
        raise ValidationError(
            f"The time window must be between {MIN_WINDOW_MINUTES} and {MAX_WINDOW_MINUTES} minutes.",
            code="window_range",
        )


def validate_metric_name(value):
    """A metric of the catalogue, or any name a custom metric may have, whether or not its first
    sample has arrived: a rule can be defined ahead of its data (it reads no data until then)."""
    if isinstance(value, str) and (value in CATALOGUE or METRIC_NAME.fullmatch(value)):
        return
    raise ValidationError(
        f"{value!r} is not a metric name: use lowercase letters, digits and '_', starting with a letter, "
        f"at most 64 characters (a custom metric), or a built-in metric: {', '.join(CATALOGUE)}.",
        code="invalid_metric_name",
    )


def metric_name_warnings(name: str) -> list[str]:
    """What a person saving a rule on `name` should know: a custom metric with no sample yet."""
    if not isinstance(name, str) or name in CATALOGUE or get_metric(name) is not None:
        return []
    return [f"No samples of {name} yet: the rule reads no data until the first arrives."]


def parse_email_recipients(value) -> list[str]:
    """The recipients as a list of stripped addresses, duplicates dropped, order kept.

    Accepts a list of strings or one string of addresses separated by commas (the product
    document's "dev@resee.com,ops@resee.com"). Anything else raises ValidationError.
    """
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items = _RECIPIENT_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(item, str) for item in value):
            raise ValidationError("Email recipients must be strings.", code="invalid_recipients")
        items = [item.strip() for item in value]
    else:
        raise ValidationError(
            "Enter email addresses as a list or a comma-separated string.", code="invalid_recipients"
        )
    recipients = []
    seen = set()
    for item in items:
        if item and item.lower() not in seen:
            seen.add(item.lower())
            recipients.append(item)
    return recipients


def validate_email_address(value):
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        raise ValidationError("Enter a valid email address.", code="invalid_email")
    try:
        _email_validator(value)
    except ValidationError:
        raise ValidationError(f"{value!r} is not a valid email address.", code="invalid_email") from None


def validate_email_recipients(value):
    """A list of at most MAX_EMAIL_RECIPIENTS valid addresses."""
    if not isinstance(value, list):
        raise ValidationError("Email recipients must be a list of addresses.", code="invalid_recipients")
    if len(value) > MAX_EMAIL_RECIPIENTS:
        raise ValidationError(
            f"At most {MAX_EMAIL_RECIPIENTS} email recipients (got {len(value)}).", code="too_many"
        )
    errors = []
    for address in value:
        try:
            validate_email_address(address)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


def validate_slack_channel(value):
    """`#channel` or `@user`; blank means the default channel and is checked by the field."""
    if not value:
        return
    if len(value) > SLACK_CHANNEL_MAX_LENGTH or not SLACK_CHANNEL_RE.match(value):
        raise ValidationError(
            "Enter a Slack channel as #name or a user as @name: lowercase letters, digits, "
            f"'-', '_' and '.', at most {SLACK_CHANNEL_MAX_LENGTH} characters.",
            code="invalid_channel",
        )


def validate_resolve_threshold(*, condition: str, threshold, resolve_threshold):
    """Hysteresis only makes sense on the safe side of the threshold: a rule that fires above 80
    resolves below 75, not above 85 (then a value of 82 would both fire and resolve)."""
    if resolve_threshold is None or threshold is None:
        return
    if condition in ("gt", "gte") and resolve_threshold > threshold:
        raise ValidationError(
            "For a 'greater than' rule the resolve threshold must not be above the threshold.",
            code="resolve_side",
        )
    if condition in ("lt", "lte") and resolve_threshold < threshold:
        raise ValidationError(
            "For a 'less than' rule the resolve threshold must not be below the threshold.",
            code="resolve_side",
        )
    if condition in ("eq", "ne"):
        raise ValidationError(
            "A resolve threshold applies to 'greater than' and 'less than' rules only.",
            code="resolve_condition",
        )


# --- labels, grouping and annotations (docs/architecture.md §9) -----------------------------------

MAX_GROUP_BY = 5
MAX_FOR_MINUTES = 60
MAX_SERIES_PER_RULE_LIMIT = 1000
MAX_RUNBOOK_URL_LENGTH = 500
# http(s), a host, then anything but whitespace and control characters.
RUNBOOK_URL_RE = re.compile(r"[hH][tT][tT][pP][sS]?://[^\s/?#\x00-\x1f\x7f]+[^\s\x00-\x1f\x7f]*")


def validate_label_matchers(value):
    problems = labels.matchers_errors(value)
    if isinstance(problems, list):
        if problems:
            raise ValidationError(problems, code="invalid_matchers")
        return
    if problems:
        raise ValidationError(
            [f"Matcher {i + 1}: {message}" for i, messages in sorted(problems.items()) for message in messages],
            code="invalid_matchers",
        )


def validate_group_by(value):
    if not isinstance(value, list):
        raise ValidationError("group_by must be a list of label names.", code="invalid_group_by")
    if len(value) > MAX_GROUP_BY:
        raise ValidationError(f"Group by at most {MAX_GROUP_BY} labels.", code="invalid_group_by")
    problems = [problem for name in value if (problem := labels.label_name_error(name))]
    if len(set(n for n in value if isinstance(n, str))) != len(value) and not problems:
        problems.append("Each label may appear once in group_by.")
    if problems:
        raise ValidationError(problems, code="invalid_group_by")


# A notification policy's group_by may also be "..." alone: every label (Alertmanager's spelling).
EVERY_LABEL = "..."
MAX_GROUP_WAIT_SECONDS = 60 * 60
MAX_GROUP_INTERVAL_SECONDS = 24 * 60 * 60
MIN_GROUP_INTERVAL_SECONDS = 10
MIN_REPEAT_INTERVAL_SECONDS = 60
MAX_REPEAT_INTERVAL_SECONDS = 7 * 24 * 60 * 60
MAX_ESCALATE_AFTER_MINUTES = 24 * 60
MAX_FLAP_THRESHOLD = 100
MAX_FLAP_WINDOW_MINUTES = 24 * 60


def validate_policy_group_by(value):
    if value == [EVERY_LABEL]:
        return
    if isinstance(value, list) and EVERY_LABEL in value:
        raise ValidationError('"..." (every label) stands alone in group_by.', code="invalid_group_by")
    validate_group_by(value)


def validate_flap_threshold(value):
    if value != 0 and not 2 <= value <= MAX_FLAP_THRESHOLD:
        raise ValidationError(
            f"Between 2 and {MAX_FLAP_THRESHOLD} state changes, or 0 to never mark the rule flapping.",
            code="invalid_flap_threshold",
        )


def validate_rule_labels(value):
    problems = labels.labels_errors(value if value is not None else {})
    if problems:
        raise ValidationError(problems, code="invalid_labels")


def validate_runbook_url(value):
    if not value:
        return
    if not isinstance(value, str) or not RUNBOOK_URL_RE.fullmatch(value):
        raise ValidationError("A runbook URL must start with http:// or https:// and name a host.",
                              code="invalid_runbook_url")
    if len(value) > MAX_RUNBOOK_URL_LENGTH:
        raise ValidationError(f"At most {MAX_RUNBOOK_URL_LENGTH} characters.", code="invalid_runbook_url")


def validate_summary_template(value):
    if not value:
        return
    problem = summary_template.template_error(value)
    if problem:
        raise ValidationError(problem, code="invalid_summary")


# --- silences and maintenance windows (docs/architecture.md §10) ----------------------------------

MAX_SILENCE_DAYS = 365
MAX_SILENCE_COMMENT_LENGTH = 2000
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def validate_silence_matchers(value):
    """A silence's (or a maintenance window's) matchers: valid matchers, at least one, and at least
    one that does not match the empty string, so that no silence holds every alert by accident
    (Alertmanager's rule)."""
    validate_label_matchers(value)
    if not value:
        raise ValidationError('At least one matcher, e.g. {"label": "category", "op": "=", "value": "system"}.',
                              code="invalid_matchers")
    if all(matcher.matches({}) for matcher in labels.parse_matchers(value)):
        raise ValidationError("At least one matcher must not match an empty value (these would hold every "
                              "alert): e.g. an = matcher with a value.", code="invalid_matchers")


def silence_period_errors(starts_at, ends_at) -> dict[str, list[str]]:
    """What is wrong with a silence's start and end, by field ({} when nothing)."""
    if starts_at is None or ends_at is None:
        return {}
    if ends_at <= starts_at:
        return {"ends_at": ["Must be after starts_at."]}
    if ends_at - starts_at > timedelta(days=MAX_SILENCE_DAYS):
        return {"ends_at": [f"A silence lasts at most {MAX_SILENCE_DAYS} days (this one would last "
                            f"{(ends_at - starts_at).days}); for a recurring one, add a maintenance window."]}
    return {}


def validate_weekdays(value):
    if not isinstance(value, list) or not value:
        raise ValidationError("At least one weekday: a list of 0 (Monday) to 6 (Sunday).", code="invalid_weekdays")
    if any(not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6 for day in value):
        raise ValidationError("Weekdays are 0 (Monday) to 6 (Sunday).", code="invalid_weekdays")
    if len(set(value)) != len(value):
        raise ValidationError("Each weekday may appear once.", code="invalid_weekdays")


def validate_time_zone(value):
    """An IANA time zone name, as zoneinfo knows it: "Europe/Berlin", "UTC"."""
    if not isinstance(value, str) or not value or len(value) > 64 or value != value.strip():
        raise ValidationError('An IANA time zone name, e.g. "Europe/Berlin" or "UTC".', code="invalid_time_zone")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationError(f'{value[:64]!r} is not a time zone: use an IANA name, e.g. "Europe/Berlin" or '
                              '"America/New_York".', code="invalid_time_zone") from None


# --- inhibition rules (docs/architecture.md §10) --------------------------------------------------

MAX_INHIBITION_EQUAL = 10


def validate_inhibition_equal(value):
    """The label names whose values must be the same on the source and the target alert: valid
    label names (the routing values' too: severity, category, metric, rule), each once."""
    if not isinstance(value, list):
        raise ValidationError("equal must be a list of label names, e.g. [\"service\"].", code="invalid_equal")
    if len(value) > MAX_INHIBITION_EQUAL:
        raise ValidationError(f"At most {MAX_INHIBITION_EQUAL} labels in equal.", code="invalid_equal")
    problems = [problem for name in value if (problem := labels.label_name_error(name))]
    if not problems and len(set(value)) != len(value):
        problems.append("Each label may appear once in equal.")
    if problems:
        raise ValidationError(problems, code="invalid_equal")
