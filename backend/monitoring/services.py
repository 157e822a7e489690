"""What changes telemetry: recording pushed samples and AI usage, resolving errors, retention."""

import hashlib
import logging
import math
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from . import labels as series_labels
from .catalogue import METRIC_NAME, accepts_pushed_samples
from .models import (
    ActiveUserMinute,
    AIUsage,
    CheckResult,
    ErrorCount,
    ErrorLog,
    MetricSample,
    MetricSeries,
    OtlpCumulativePoint,
    PushToken,
    RequestRollup,
)
from .selectors import forget_sample_names_if_new

logger = logging.getLogger(__name__)

MAX_BATCH = 1000
# Tokens of one AI call: far above any model's context, and small enough that millions of calls
# still sum within a 64-bit column.
MAX_TOKENS_PER_CALL = 10**12
MAX_FUTURE = timedelta(minutes=5)


class TelemetryValidationError(ValueError):
    """Bad input to a recording function; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def metric_name_error(name: object) -> str | None:
    if not isinstance(name, str) or not METRIC_NAME.match(name):
        return "Must start with a lowercase letter and contain only lowercase letters, digits and _ (at most 64)."
    if not accepts_pushed_samples(name):
        return f"'{name}' is measured by the system itself and cannot be pushed."
    return None


def timestamp_error(timestamp: datetime, *, now: datetime) -> str | None:
    if timestamp > now + MAX_FUTURE:
        return "Must not be more than 5 minutes in the future."
    if timestamp < now - timedelta(days=settings.TELEMETRY_RETENTION_DAYS):
        return f"Must be within the last {settings.TELEMETRY_RETENTION_DAYS} days (the retention period)."
    return None


def _number_error(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "A number is required."
    if not math.isfinite(value):
        return "Must be a finite number."
    return None


def labels_error(labels: object) -> str | None:
    """What is wrong with a sample's labels, in one message; None when they are valid."""
    problems = series_labels.labels_errors(labels)
    return " ".join(problems) if problems else None


def record_metric(name: str, value: float, timestamp: datetime | None = None,
                  labels: dict[str, str] | None = None) -> MetricSample:
    """Record one sample of a pushed metric (a custom one, or `subscriptions`), of the series its
    `labels` name (none: the metric's series without labels)."""
    return record_metrics([{"name": name, "value": value, "timestamp": timestamp, "labels": labels}])[0]


@transaction.atomic
def record_metrics(samples: list[dict]) -> list[MetricSample]:
    """Record pushed samples (`name`, `value`, optional `timestamp` and `labels`), all or none:
    the first bad one raises TelemetryValidationError with its position and fields, and nothing
    is saved."""
    if len(samples) > MAX_BATCH:
        raise TelemetryValidationError({"non_field_errors": f"At most {MAX_BATCH} samples per batch."})
    now = timezone.now()
    rows = []
    for index, sample in enumerate(samples):
        timestamp = sample.get("timestamp") or now
        errors = {
            key: message
            for key, message in (
                ("name", metric_name_error(sample.get("name"))),
                ("value", _number_error(sample.get("value"))),
                ("timestamp", timestamp_error(timestamp, now=now)),
                ("labels", labels_error(sample.get("labels"))),
            )
            if message
        }
        if errors:
            raise TelemetryValidationError({f"[{index}].{k}": v for k, v in errors.items()})
        rows.append(MetricSample(name=sample["name"], value=float(sample["value"]), timestamp=timestamp))
    MetricSeries.assign(rows, [sample.get("labels") for sample in samples])
    created = MetricSample.objects.bulk_create(rows)
    forget_sample_names_if_new({row.name for row in rows})
    return created



def create_push_token(name: str, *, created_by=None) -> tuple[PushToken, str]:
    """A new push token and its text, which is shown this once: only its digest is stored."""
    text = PushToken.PREFIX + secrets.token_urlsafe(32)
    token = PushToken.objects.create(name=name, digest=push_token_digest(text), hint=text[:10], created_by=created_by)
    return token, text


def push_token_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# How often a token's last use is written (not on every export).
PUSH_TOKEN_USE_PRECISION = timedelta(minutes=1)


def authenticate_push_token(text: str) -> PushToken | None:
    """The push token of this text, its last use noted; None if there is none."""
    token = PushToken.objects.filter(digest=push_token_digest(text)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= PUSH_TOKEN_USE_PRECISION:
        try:
            with transaction.atomic():
                PushToken.objects.filter(pk=token.pk).update(last_used_at=now)
        except DatabaseError:
            # Bookkeeping only: a database that cannot take the write now (SQLite locked by
            # another writer) must not refuse the push; the next one notes it.
            logger.info("could not note the use of push token %s now", token.pk)
        else:
            token.last_used_at = now
    return token


def record_ai_usage(*, provider: str, model: str, operation: str = "", input_tokens: int = 0, output_tokens: int = 0,
                    cost_usd: Decimal | float | str = 0, success: bool = True, latency_ms: float | None = None,
                    error: str = "", timestamp: datetime | None = None) -> AIUsage:
    """Record one call to an AI service.

    >>> record_ai_usage(provider="openai", model="gpt-4o", operation="summarise",
    ...                 input_tokens=812, output_tokens=164, cost_usd="0.0046", latency_ms=930)
    """
    return record_ai_usages([{
        "provider": provider, "model": model, "operation": operation, "input_tokens": input_tokens,
        "output_tokens": output_tokens, "cost_usd": cost_usd, "success": success, "latency_ms": latency_ms,
        "error": error, "timestamp": timestamp,
    }])[0]


@transaction.atomic
def record_ai_usages(items: list[dict]) -> list[AIUsage]:
    if len(items) > MAX_BATCH:
        raise TelemetryValidationError({"non_field_errors": f"At most {MAX_BATCH} records per batch."})
    now = timezone.now()
    rows = []
    for index, item in enumerate(items):
        errors = {}
        for key in ("provider", "model"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                errors[key] = "This field is required."
        for key in ("input_tokens", "output_tokens"):
            value = item.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOKENS_PER_CALL:
                errors[key] = f"Must be a whole number from 0 to {MAX_TOKENS_PER_CALL:,}."
        try:
            cost = Decimal(str(item.get("cost_usd", 0)))
            if not cost.is_finite() or cost < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            errors["cost_usd"] = "Must be a finite amount, 0 or more."
        timestamp = item.get("timestamp") or now
        if message := timestamp_error(timestamp, now=now):
            errors["timestamp"] = message
        if errors:
            raise TelemetryValidationError({f"[{index}].{k}": v for k, v in errors.items()})
        rows.append(AIUsage(
            timestamp=timestamp,
            provider=item["provider"].strip()[:64],
            model=item["model"].strip()[:128],
            operation=(item.get("operation") or "")[:128],
            input_tokens=item.get("input_tokens", 0),
            output_tokens=item.get("output_tokens", 0),
            cost_usd=cost,
            success=bool(item.get("success", True)),
            latency_ms=item.get("latency_ms"),
            error=item.get("error") or "",
        ))
    return AIUsage.objects.bulk_create(rows)


ERROR_ACTIONS = ("resolve", "unresolve", "delete")


def update_errors(*, ids: list[int], action: str) -> int:
    """Resolve, reopen or delete error groups; returns how many changed."""
    groups = ErrorLog.objects.filter(id__in=ids)
    if action == "resolve":
        return groups.filter(resolved=False).update(resolved=True, resolved_at=timezone.now())
    if action == "unresolve":
        return groups.filter(resolved=True).update(resolved=False, resolved_at=None)
    if action == "delete":
        return groups.delete()[1].get(ErrorLog._meta.label, 0)
    raise ValueError(f"Unknown action {action!r}; valid: {', '.join(ERROR_ACTIONS)}")


def delete_old_telemetry(*, now: datetime | None = None, batch_size: int = 5000) -> dict[str, int]:
    """Delete telemetry older than TELEMETRY_RETENTION_DAYS, a batch at a time, so that no table is
    locked for long. Error groups go when their last occurrence is that old."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TELEMETRY_RETENTION_DAYS)
    targets: dict[str, QuerySet[Any]] = {
        "metric_samples": MetricSample.objects.filter(timestamp__lt=cutoff),
        "request_rollups": RequestRollup.objects.filter(minute__lt=cutoff),
        "error_counts": ErrorCount.objects.filter(minute__lt=cutoff),
        "active_user_minutes": ActiveUserMinute.objects.filter(minute__lt=cutoff),
        "ai_usage": AIUsage.objects.filter(timestamp__lt=cutoff),
        "error_logs": ErrorLog.objects.filter(last_seen__lt=cutoff),
        # Kept longer than samples: the 30-day uptime of checks reads them.
        "check_results": CheckResult.objects.filter(
            at__lt=(now or timezone.now()) - timedelta(days=settings.CHECK_RESULT_RETENTION_DAYS)
        ),
        # A series silent for a day starts again from a baseline (monitoring.otlp).
        "otlp_cumulative_points": OtlpCumulativePoint.objects.filter(
            updated_at__lt=(now or timezone.now()) - timedelta(days=1)
        ),
    }
    deleted = {}
    for label, queryset in targets.items():
        total = 0
        while True:
            ids = list(queryset.order_by().values_list("id", flat=True)[:batch_size])
            if not ids:
                break
            total += queryset.model.objects.filter(id__in=ids).delete()[0]
        deleted[label] = total
    deleted["metric_series"] = delete_empty_series(batch_size=batch_size)
    logger.info("telemetry retention: deleted %s", deleted)
    return deleted


def delete_empty_series(*, batch_size: int = 5000) -> int:
    """Delete the series rows no sample points at any more (their samples all expired).

    A writer about to add a sample to such a series holds its row locked (MetricSeries.ids_for):
    on PostgreSQL those rows are skipped, and a writer that comes after the deletion creates the
    row again. Each batch re-checks, once its rows are locked, that they are still empty."""
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                MetricSeries.objects.filter(~Exists(MetricSample.objects.filter(series=OuterRef("pk"))))
                .select_for_update(skip_locked=True)
                .order_by()
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return total
            empty = MetricSeries.objects.filter(id__in=ids).exclude(
                Exists(MetricSample.objects.filter(series=OuterRef("pk")))
            )
            total += empty.delete()[1].get(MetricSeries._meta.label, 0)
        if len(ids) < batch_size:
            return total
