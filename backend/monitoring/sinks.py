"""Where buffered telemetry goes: the database (additive upserts) or Redis (pipelined increments,
drained into the database by the every-minute collection task)."""

import functools
import logging
import os
from datetime import UTC, datetime

import redis
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from .batch import FLOAT_FIELDS, MAX_FIELD, REQUEST_FIELDS, Batch, ErrorGroup, merge_request_values, minute_of
from .models import ActiveUserMinute, ErrorCount, ErrorLog, RequestRollup

logger = logging.getLogger(__name__)

UPSERT_CHUNK = 200


def write(batch: Batch, *, use_redis: bool) -> None:
    if batch.requests or batch.users:
        if use_redis:
            push_requests_to_redis(batch.requests, batch.users)
        else:
            write_requests(batch.requests, batch.users)
    if batch.errors or batch.error_counts:
        write_errors(batch.errors, batch.error_counts)


# --- database -------------------------------------------------------------------------------------


def _additive_upsert(model, key_fields, value_fields, rows, max_fields=()):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET v = v + excluded.v: safe when several processes
    flush the same key, on SQLite and PostgreSQL alike."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key_fields, *value_fields]
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    updates = ", ".join(
        f"{quote(f)} = {greatest}({table}.{quote(f)}, excluded.{quote(f)})" if f in max_fields
        else f"{quote(f)} = {table}.{quote(f)} + excluded.{quote(f)}"
        for f in value_fields
    )
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), UPSERT_CHUNK):
        chunk = rows[start:start + UPSERT_CHUNK]
        sql = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES {', '.join([placeholders] * len(chunk))} "
            f"ON CONFLICT ({', '.join(quote(k) for k in key_fields)}) DO UPDATE SET {updates}"
        )
        params = [param for row in chunk for param in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _db_datetime(moment: datetime):
    return connection.ops.adapt_datetimefield_value(moment)


def with_minute_totals(requests: dict) -> dict:
    """The per-route cells plus, for each minute, one cell of all routes together."""
    totals: dict = {}
    for (minute, _route, _method), values in requests.items():
        key = (minute, RequestRollup.ALL, RequestRollup.ALL)
        if key in totals:
            merge_request_values(totals[key], values)
        else:
            totals[key] = list(values)
    return {**requests, **totals}


REQUEST_KEY = ("minute", "service", "route", "method")


def write_request_rows(requests: dict, *, service: str = RequestRollup.SELF) -> None:
    """Add (minute, route, method) -> values cells of one service, and their minutes' totals, to
    RequestRollup."""
    rows = [
        (_db_datetime(minute), service, route, method, *values)
        for (minute, route, method), values in sorted(with_minute_totals(requests).items())
    ]
    _additive_upsert(RequestRollup, REQUEST_KEY, REQUEST_FIELDS, rows, max_fields={MAX_FIELD})


def write_requests(requests: dict, users: dict) -> None:
    with transaction.atomic():
        write_request_rows(requests)
        ActiveUserMinute.objects.bulk_create(
            [ActiveUserMinute(minute=minute, user_id=uid) for minute, ids in users.items() for uid in ids],
            ignore_conflicts=True,
        )


def write_errors(errors: dict[str, ErrorGroup], error_counts: dict) -> None:
    with transaction.atomic():
        write_error_counts(error_counts)
    for group in errors.values():
        write_error_group(group)


def write_error_counts(error_counts: dict, *, service: str = "") -> None:
    """Add (minute, level, logger, exception) -> count cells of one service to ErrorCount."""
    _additive_upsert(
        ErrorCount, ("minute", "level", "service", "logger", "exception"), ("count",),
        [(_db_datetime(minute), level, service, logger, exception, count)
         for (minute, level, logger, exception), count in sorted(error_counts.items())],
    )


def write_error_group(group: ErrorGroup) -> None:
    fields = {
        "level": group.level,
        "logger": group.logger[:200],
        "message": group.message,
        "exception_type": group.exception_type[:200],
        "traceback": group.traceback,
        "path": group.path[:500],
        "method": group.method[:10],
        "service": group.service[:128],
        "user_id": group.user_id,
    }
    try:
        _update_or_create_error(group, fields)
    except IntegrityError:
        # The user was deleted since the error happened.
        fields["user_id"] = None
        _update_or_create_error(group, fields)


def _update_or_create_error(group: ErrorGroup, fields: dict) -> None:
    # An error that happens again reopens its group.
    update = dict(
        fields,
        occurrences=F("occurrences") + group.occurrences,
        last_seen=Greatest(F("last_seen"), group.last_seen),
        resolved=False,
        resolved_at=None,
    )
    if ErrorLog.objects.filter(fingerprint=group.fingerprint).update(**update):
        return
    try:
        with transaction.atomic():
            ErrorLog.objects.create(
                fingerprint=group.fingerprint,
                occurrences=group.occurrences,
                first_seen=group.first_seen,
                last_seen=group.last_seen,
                **fields,
            )
    except IntegrityError:
        # Another process created the group first (or the user is gone: the caller retries).
        if not ErrorLog.objects.filter(fingerprint=group.fingerprint).update(**update):
            raise


# --- Redis ----------------------------------------------------------------------------------------

KEY_PREFIX = "resee:telemetry"
MINUTES_KEY = f"{KEY_PREFIX}:minutes"
KEY_TTL_SECONDS = 24 * 3600
_SEPARATOR = "\x1f"  # cannot occur in a route or a method

# HSET the field to the value unless it holds a greater one.
_MAX_SCRIPT = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if (not current) or tonumber(current) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
"""


@functools.cache
def _client_for(pid: int, url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def redis_client() -> redis.Redis:
    return _client_for(os.getpid(), settings.REDIS_URL)


def _requests_key(epoch: int) -> str:
    return f"{KEY_PREFIX}:req:{epoch}"


def _users_key(epoch: int) -> str:
    return f"{KEY_PREFIX}:users:{epoch}"


def push_requests_to_redis(requests: dict, users: dict) -> None:
    client = redis_client()
    set_max = client.register_script(_MAX_SCRIPT)
    pipe = client.pipeline(transaction=False)
    epochs = set()
    for (minute, route, method), values in requests.items():
        epoch = int(minute.timestamp())
        epochs.add(epoch)
        key = _requests_key(epoch)
        member = f"{method}{_SEPARATOR}{route}"
        for name, value in zip(REQUEST_FIELDS, values):
            if not value:
                continue
            field_name = f"{member}{_SEPARATOR}{name}"
            if name == MAX_FIELD:
                set_max(keys=[key], args=[field_name, value], client=pipe)
            elif name in FLOAT_FIELDS:
                pipe.hincrbyfloat(key, field_name, value)
            else:
                pipe.hincrby(key, field_name, int(value))
        pipe.expire(key, KEY_TTL_SECONDS)
    for minute, ids in users.items():
        epoch = int(minute.timestamp())
        epochs.add(epoch)
        pipe.sadd(_users_key(epoch), *ids)
        pipe.expire(_users_key(epoch), KEY_TTL_SECONDS)
    if epochs:
        pipe.sadd(MINUTES_KEY, *epochs)
    pipe.execute()


def drain_redis_requests(*, now: datetime | None = None) -> int:
    """Move every completed minute from Redis into RequestRollup and ActiveUserMinute.

    Each minute's keys are read and deleted in one MULTI/EXEC, so a minute is drained once even
    when two collection tasks overlap. Returns the number of minutes drained."""
    client = redis_client()
    current = int(minute_of(now or datetime.now(UTC)).timestamp())
    drained = 0
    for raw in sorted(client.smembers(MINUTES_KEY), key=int):
        epoch = int(raw)
        if epoch >= current:
            continue
        pipe = client.pipeline(transaction=True)
        pipe.hgetall(_requests_key(epoch))
        pipe.smembers(_users_key(epoch))
        pipe.delete(_requests_key(epoch), _users_key(epoch))
        pipe.srem(MINUTES_KEY, epoch)
        hashed, user_ids, *_ = pipe.execute()
        requests, users = _parse_minute(epoch, hashed, user_ids)
        try:
            write_requests(requests, users)
        except Exception:
            # Give the minute back to Redis rather than lose it.
            push_requests_to_redis(requests, users)
            raise
        drained += 1
    return drained


def _parse_minute(epoch: int, hashed: dict, user_ids: set) -> tuple[dict, dict]:
    minute = datetime.fromtimestamp(epoch, UTC)
    requests: dict = {}
    for raw_field, raw_value in hashed.items():
        method, route, name = raw_field.decode().split(_SEPARATOR)
        values = requests.setdefault((minute, route, method), [0] * len(REQUEST_FIELDS))
        value = float(raw_value)
        values[REQUEST_FIELDS.index(name)] = value if name in FLOAT_FIELDS else int(value)
    users = {minute: {int(uid) for uid in user_ids}} if user_ids else {}
    return requests, users
