"""What changes checks: their runs' results and series, the sweep that finds due checks, pings,
creating, changing and deleting checks (with their default rule), and the results' retention."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core import selfwatch

from ..models import Check, CheckKind, CheckResult, CheckStatus, MetricSample, MetricSeries
from ..selectors import forget_sample_names_if_new
from . import heartbeats, runners
from .hooks import default_rules

logger = logging.getLogger(__name__)

# How often a heartbeat is looked at (and its series written) by the sweep.
HEARTBEAT_EVALUATION_SECONDS = 60
# At most this many checks are claimed by one sweep (the rest by the next).
SWEEP_BATCH = 500
RECENT_RUNS = 30
# A run still waiting in the queue after this long is dropped; the next one is claimed anew.
RUN_EXPIRES_SECONDS = 60
UPTIME_WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}


def _write_series(check: Check, at: datetime, values: dict[str, float | None]) -> None:
    labels = check.series_labels
    samples = [MetricSample(name=name, value=float(value), timestamp=at) for name, value in values.items()
               if value is not None]
    MetricSeries.assign(samples, [labels] * len(samples))
    MetricSample.objects.bulk_create(samples)
    forget_sample_names_if_new({sample.name for sample in samples})


def _count_run(kind: str, up: bool) -> None:
    """/metrics' resee_check_runs_total, once the result is stored."""
    transaction.on_commit(lambda: selfwatch.count_check_run(kind, up=up))


def _set_status(check: Check, status: str, at: datetime, fields: list[str]) -> None:
    if check.status != status:
        check.status, check.status_since = status, at
        fields += ["status", "status_since"]


@transaction.atomic
def record_outcome(check: Check, outcome: runners.Outcome, *, at: datetime | None = None) -> CheckResult:
    """One run's result: a CheckResult row, the check's series and its state."""
    at = at or timezone.now()
    result = CheckResult.objects.create(
        check_ref=check, at=at, up=outcome.up, response_time_ms=outcome.response_time_ms,
        status_code=outcome.status_code, error=outcome.error[:500], cert_days_left=outcome.cert_days_left,
    )
    _count_run(check.kind, outcome.up)
    _write_series(check, at, {
        "check_up": 1.0 if outcome.up else 0.0,
        "check_response_time_ms": outcome.response_time_ms,
        "check_cert_days_left": outcome.cert_days_left,
    })
    fields = ["last_checked_at", "last_response_time_ms", "last_error", "cert_days_left", "updated_at"]
    check.last_checked_at, check.last_response_time_ms = at, outcome.response_time_ms
    check.last_error, check.cert_days_left = outcome.error[:500], outcome.cert_days_left
    _set_status(check, CheckStatus.UP if outcome.up else CheckStatus.DOWN, at, fields)
    check.save(update_fields=fields)
    return result


def run_check(check_id: int) -> CheckResult | None:
    """Run an http or tcp check now and record what it found (None: no such active check)."""
    check = Check.objects.filter(id=check_id).exclude(kind=CheckKind.HEARTBEAT).first()
    if check is None:
        return None
    try:
        outcome = runners.run(check)
    except Exception as error:  # a bug, never a target's doing: the run is down, and says so
        logger.exception("check %s could not run", check_id)
        outcome = runners.Outcome(False, error=f"The check could not run ({type(error).__name__}).")
    # The check may have been changed or deleted while it ran: record against what it is now.
    check = Check.objects.filter(id=check_id).first()
    if check is None:
        return None
    return record_outcome(check, outcome)


def claim_due(*, now: datetime | None = None) -> tuple[list[int], list[int]]:
    """The active checks due now, each claimed by moving its next_run_at forward with a
    compare-and-set, so that two beats or workers never run one twice: (http/tcp ids to run,
    heartbeat ids to evaluate)."""
    now = now or timezone.now()
    due = list(
        Check.objects.filter(is_active=True, next_run_at__lte=now)
        .order_by("next_run_at")
        .values_list("id", "kind", "next_run_at", "interval_seconds")[:SWEEP_BATCH]
    )
    runs: list[int] = []
    beats: list[int] = []
    for check_id, kind, next_run_at, interval in due:
        step = HEARTBEAT_EVALUATION_SECONDS if kind == CheckKind.HEARTBEAT else interval
        # The next run is one interval after the one due (not after now), unless that is past too.
        following = max(next_run_at + timedelta(seconds=step), now + timedelta(seconds=step / 2))
        if Check.objects.filter(id=check_id, next_run_at=next_run_at).update(next_run_at=following):
            (beats if kind == CheckKind.HEARTBEAT else runs).append(check_id)
    return runs, beats


@transaction.atomic
def evaluate_heartbeat(check_id: int, *, now: datetime | None = None) -> CheckResult | None:
    """Look at a heartbeat: up, late (down) or still waiting for its first ping; writes check_up
    and heartbeat_age_seconds, and a result once it is up or down."""
    now = now or timezone.now()
    check = Check.objects.select_for_update().filter(id=check_id, kind=CheckKind.HEARTBEAT).first()
    if check is None:
        return None
    found = heartbeats.verdict(check, now)
    fields = ["last_checked_at", "last_error", "updated_at"]
    check.last_checked_at, check.last_error = now, found.error
    _set_status(check, found.status, now, fields)
    check.save(update_fields=fields)
    age = (now - check.last_ping_at).total_seconds() if check.last_ping_at else None
    if found.status == CheckStatus.UNKNOWN:
        _write_series(check, now, {"heartbeat_age_seconds": age})
        return None
    up = found.status == CheckStatus.UP
    _write_series(check, now, {"check_up": 1.0 if up else 0.0, "heartbeat_age_seconds": age})
    _count_run(check.kind, up)
    return CheckResult.objects.create(check_ref=check, at=now, up=up, error=found.error[:500])


PING_SUCCESS, PING_START, PING_FAIL = "success", "start", "fail"


@transaction.atomic
def ping(key, kind: str = PING_SUCCESS, *, now: datetime | None = None) -> bool:
    """A heartbeat's ping (/ping/<uuid>/, /start, /fail); False for an unknown uuid. A good ping
    is up at once (its response time is the run's duration since a /start, if one came after the
    previous ping); /fail is down at once; /start only records that a run began. A paused check
    records the ping's time and writes no series."""
    now = now or timezone.now()
    check = Check.objects.select_for_update().filter(ping_key=key, kind=CheckKind.HEARTBEAT).first()
    if check is None:
        return False
    if kind == PING_START:
        check.last_start_at = now
        check.save(update_fields=["last_start_at", "updated_at"])
        return True
    fields = ["last_checked_at", "last_error", "updated_at"]
    check.last_checked_at = now
    if kind == PING_FAIL:
        check.last_fail_at, check.last_error, up = now, "The job reported a failure (/fail).", False
        fields.append("last_fail_at")
    else:
        duration = None
        if check.last_start_at and (check.last_ping_at is None or check.last_start_at > check.last_ping_at):
            duration = round((now - check.last_start_at).total_seconds() * 1000, 1)
        check.last_ping_at, check.last_error, up = now, "", True
        check.last_response_time_ms = duration
        fields += ["last_ping_at", "last_response_time_ms"]
    if not check.is_active:
        check.save(update_fields=fields)
        return True
    _set_status(check, CheckStatus.UP if up else CheckStatus.DOWN, now, fields)
    check.save(update_fields=fields)
    _write_series(check, now, {"check_up": 1.0 if up else 0.0, "heartbeat_age_seconds": 0.0 if up else None})
    CheckResult.objects.create(check_ref=check, at=now, up=up, error=check.last_error,
                               response_time_ms=check.last_response_time_ms if up else None)
    _count_run(check.kind, up)
    return True


# --- creating, changing, deleting ------------------------------------------------------------------

@transaction.atomic
def create_check(*, user=None, create_rule: bool = True, **fields) -> Check:
    """A new check (fields validated by the caller), due at once, and its default rule."""
    check = Check(**fields)
    check.next_run_at = timezone.now()
    check.save()
    rules = default_rules()
    if create_rule and rules is not None:
        check.rule_id = rules.create(check, user=user)
        check.save(update_fields=["rule_id"])
    return check


@transaction.atomic
def update_check(check: Check, **fields) -> Check:
    old_name = check.name
    reschedule = any(name in fields and fields[name] != getattr(check, name) for name in (
        "kind", "interval_seconds", "url", "host", "port", "is_active", "period_seconds", "cron", "time_zone",
    ))
    for name, value in fields.items():
        setattr(check, name, value)
    if reschedule:
        check.next_run_at = timezone.now()
    check.save()
    rules = default_rules()
    if check.name != old_name and check.rule_id and rules is not None:
        rules.renamed(check, old_name=old_name)
    return check


@transaction.atomic
def delete_check(check: Check, *, user=None) -> None:
    rules = default_rules()
    if check.rule_id and rules is not None:
        rules.deleted(check, user=user)
    check.delete()


# --- reading ----------------------------------------------------------------------------------------

def uptime_of(check_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, dict[str, float | None]]:
    """Percent of runs up over the last 24 h, 7 d and 30 d of each check (None: no run): one
    query for all of them, by the (check, time) index."""
    now = now or timezone.now()
    ids = list(check_ids)
    aggregates = {}
    for key, span in UPTIME_WINDOWS.items():
        since = now - span
        aggregates[f"runs_{key}"] = Count("id", filter=Q(at__gte=since))
        aggregates[f"up_{key}"] = Count("id", filter=Q(at__gte=since, up=True))
    rows = (
        CheckResult.objects.filter(check_ref_id__in=ids, at__gte=now - max(UPTIME_WINDOWS.values()), at__lte=now)
        .order_by().values("check_ref_id").annotate(**aggregates)
    ) if ids else []
    found: dict[int, dict] = {row["check_ref_id"]: dict(row) for row in rows}
    uptime: dict[int, dict[str, float | None]] = {}
    for check_id in ids:
        row = found.get(check_id)
        uptime[check_id] = {
            key: (round(100.0 * row[f"up_{key}"] / row[f"runs_{key}"], 2) if row and row[f"runs_{key}"] else None)
            for key in UPTIME_WINDOWS
        }
    return uptime


def recent_of(check_ids: Iterable[int], *, limit: int = RECENT_RUNS) -> dict[int, list[dict]]:
    """The last `limit` results of each check, newest first: one query (a window function)."""
    ids = list(check_ids)
    recent: dict[int, list[dict]] = {check_id: [] for check_id in ids}
    if not ids:
        return recent
    rows = (
        CheckResult.objects.filter(check_ref_id__in=ids)
        .annotate(position=Window(
            RowNumber(), partition_by=[F("check_ref_id")], order_by=[F("at").desc(), F("id").desc()]
        ))
        .filter(position__lte=limit)
        .order_by("check_ref_id", "position")
        .values("check_ref_id", "at", "up", "response_time_ms")
    )
    for row in rows:
        recent[row["check_ref_id"]].append(
            {"at": row["at"], "up": row["up"], "response_time_ms": row["response_time_ms"]}
        )
    return recent
