"""The client of Prometheus-compatible HTTP APIs (Prometheus, Thanos, Mimir, VictoriaMetrics): an
instant query at a given time (`/api/v1/query`) and a range query (`/api/v1/query_range`) for a
DataSource, through core.outbound (timeouts, the SSRF guard, a bounded answer).

Every failure is a PrometheusError with one message a person can act on: the target as
scheme://host:port, the HTTP status or Prometheus' own `errorType: error`, never the data source's
credentials (any of them an answer repeats is cut out) nor the URL's path or query string.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core import outbound

from .models import DataSource

MAX_MESSAGE_LENGTH = 500
# What a data source's answer may be at most: a query returning more is refused, not truncated.
MAX_ANSWER_BYTES = 5 * 1024 * 1024


class PrometheusError(Exception):
    """A query that gave no usable answer; its message is safe to show and to store."""


@dataclass(frozen=True)
class Series:
    """One series of an answer: its labels (without `__name__`), its value at the query's time
    (instant queries; None when not a finite number), and its points (range queries)."""

    labels: dict[str, str]
    value: float | None = None
    points: list[tuple[datetime, float | None]] = field(default_factory=list)
    # The value as Prometheus wrote it, when it is not a finite number ("NaN", "+Inf").
    raw: str = ""


def _number(text: Any) -> tuple[float | None, str]:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise PrometheusError(f"The answer has a value that is not a number: {str(text)[:40]!r}.") from None
    return (value, "") if math.isfinite(value) else (None, str(text))


def _instant(labels: dict[str, str], text: Any) -> Series:
    value, raw = _number(text)
    return Series(labels, value, raw=raw)


def _moment(seconds: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise PrometheusError("The answer has a sample time that is not a Unix time.") from None


def _labels(metric: Any) -> dict[str, str]:
    if not isinstance(metric, Mapping):
        raise PrometheusError("The answer has a series without labels.")
    return {str(k): str(v) for k, v in metric.items() if k != "__name__"}


class Client:
    """Queries one data source. Each request waits at most the source's timeout_seconds (to
    connect: at most 5 s of it), and asks Prometheus to give up after the same time."""

    def __init__(self, source: DataSource, *, timeout: float | None = None):
        self.source = source
        # At most the source's own timeout; less when the caller has less time left.
        self.timeout = min(float(source.timeout_seconds), timeout if timeout is not None else math.inf)

    @property
    def _secret_values(self) -> list[str]:
        return [str(v) for v in (self.source.secrets or {}).values() if v]

    def _safe(self, text: str) -> str:
        for secret in self._secret_values:
            text = text.replace(secret, "…")
        return text[:MAX_MESSAGE_LENGTH]

    def _fail(self, text: str) -> PrometheusError:
        return PrometheusError(self._safe(f"Data source {self.source.name!r}: {text}"))

    def _get(self, path: str, params: dict[str, str]) -> Any:
        secrets = self.source.secrets or {}
        if getattr(secrets, "unreadable", False):
            raise self._fail("its credentials could not be decrypted (the encryption key changed); enter them again.")
        headers = {"Accept": "application/json"}
        auth = None
        if secrets.get("bearer_token"):
            headers["Authorization"] = f"Bearer {secrets['bearer_token']}"
        elif secrets.get("username") or secrets.get("password"):
            auth = (str(secrets.get("username", "")), str(secrets.get("password", "")))
        timeout = max(0.1, self.timeout)
        url = self.source.base_url.rstrip("/") + path
        try:
            response = outbound.get(
                url, params={**params, "timeout": f"{timeout:g}s"}, headers=headers, auth=auth,
                timeout=(min(outbound.CONNECT_TIMEOUT_SECONDS, timeout), timeout), max_bytes=MAX_ANSWER_BYTES,
            )
        except outbound.OutboundError as error:
            raise self._fail(str(error)) from None
        origin = outbound.parse_target(url).origin
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, Mapping) and body.get("status") == "error":
            kind = str(body.get("errorType") or "error")
            raise self._fail(f"{kind}: {str(body.get('error') or 'no message')}")
        if response.status_code in (401, 403):
            raise self._fail(f"{origin} answered HTTP {response.status_code}: check the data source's credentials.")
        if response.status_code != 200:
            raise self._fail(f"{origin} answered HTTP {response.status_code}.")
        data = body.get("data") if isinstance(body, Mapping) and body.get("status") == "success" else None
        if not isinstance(data, Mapping):
            raise self._fail(f"{origin} did not answer with the Prometheus HTTP API's JSON (is the base URL right?).")
        return data

    def query(self, expr: str, at: datetime) -> list[Series]:
        """The expression's value at `at`: one Series per series of an instant vector, or one
        without labels for a scalar. A range vector or a string is refused: a rule needs one
        value per series."""
        data = self._get("/api/v1/query", {"query": expr, "time": f"{at.timestamp():.3f}"})
        kind, result = data.get("resultType"), data.get("result")
        try:
            if kind == "vector" and isinstance(result, list):
                return [_instant(_labels(item.get("metric")), item["value"][1]) for item in result]
            if kind == "scalar" and isinstance(result, list) and len(result) == 2:
                return [_instant({}, result[1])]
        except (KeyError, IndexError, TypeError, AttributeError):
            raise self._fail("the answer's result is not in the Prometheus HTTP API's format.") from None
        except PrometheusError as error:
            raise self._fail(str(error)) from None
        if kind in ("matrix", "string"):
            raise self._fail(
                f"the expression gives a {'range vector' if kind == 'matrix' else 'string'}, not an instant vector "
                "or a scalar: a rule needs one value per series (e.g. avg_over_time(x[5m]) rather than x[5m])."
            )
        raise self._fail(f"the answer's result type {str(kind)[:20]!r} is not one a rule can use.")

    def query_range(self, expr: str, start: datetime, end: datetime, step_seconds: int) -> list[Series]:
        """The expression from `start` to `end` every `step_seconds`: one Series per series with
        its points."""
        data = self._get("/api/v1/query_range", {
            "query": expr, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}",
            "step": str(step_seconds),
        })
        if data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
            raise self._fail("the range query's answer is not a matrix.")
        try:
            return [
                Series(_labels(item.get("metric")), points=[(_moment(t), _number(v)[0]) for t, v in item["values"]])
                for item in data["result"]
            ]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self._fail("the answer's result is not in the Prometheus HTTP API's format.") from None
        except PrometheusError as error:
            raise self._fail(str(error)) from None


def check_source(source: DataSource, *, at: datetime) -> str:
    """`vector(1)` on the data source: "" when it answers as Prometheus does, else what is wrong."""
    try:
        result = Client(source).query("vector(1)", at)
    except PrometheusError as error:
        return str(error)
    if len(result) != 1 or result[0].value != 1.0:
        return f"Data source {source.name!r}: vector(1) did not give 1; is this a Prometheus-compatible API?"
    return ""
