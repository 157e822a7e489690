"""Pure functions that turn a window of telemetry into one number, per kind of metric.

Each takes the window's data already split into consecutive buckets (one per minute, oldest
first) and an aggregation from `catalogue.AGGREGATIONS`. None means "no data".
"""

import math
from collections.abc import Sequence

from .models import LATENCY_BUCKETS_MS


def share(amounts: Sequence[float], divisor: float) -> float:
    """sum(amounts) / divisor, finite whenever the answer is: finite amounts whose sum overflows
    (1e308 twice) still have a finite mean. A result that really is out of range is inf, which
    the reader reports as an overflow."""
    total = sum(amounts)
    if math.isfinite(total) or not all(math.isfinite(a) for a in amounts):
        return total / divisor
    return sum(a / divisor for a in amounts)


def mean(values: Sequence[float]) -> float:
    return share(values, len(values))


def quantile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = math.floor(rank)
    high = math.ceil(rank)
    fraction = rank - low
    estimate = ordered[low] + (ordered[high] - ordered[low]) * fraction
    if math.isinf(estimate) and math.isfinite(ordered[low]) and math.isfinite(ordered[high]):
        # The difference of two extremes overflowed; the weighted form cannot.
        estimate = ordered[low] * (1 - fraction) + ordered[high] * fraction
    return estimate


def of_values(values: Sequence[float], aggregation: str) -> float | None:
    """A gauge's samples in the window."""
    if not values:
        return None
    match aggregation:
        case "avg":
            return mean(values)
        case "min":
            return min(values)
        case "max":
            return max(values)
        case "sum":
            return float(sum(values))
        case "last":
            return values[-1]
        case "count":
            return float(len(values))
        case "p95":
            return quantile(values, 0.95)
    raise ValueError(f"unknown aggregation {aggregation!r}")


def of_counter(per_bucket: Sequence[float], events: int, aggregation: str) -> float | None:
    """Events counted per bucket (a bucket without events is a true 0): sum is the total, avg the
    mean per minute, min/max/last/p95 over the per-minute totals, count the number of events.
    (None only as the p95 of no buckets.)"""
    match aggregation:
        case "sum":
            return float(sum(per_bucket))
        case "avg":
            return mean(per_bucket)
        case "min":
            return float(min(per_bucket))
        case "max":
            return float(max(per_bucket))
        case "last":
            return float(per_bucket[-1])
        case "count":
            return float(events)
        case "p95":
            return quantile(per_bucket, 0.95)
    raise ValueError(f"unknown aggregation {aggregation!r}")


def of_ratio(numerators: Sequence[float], denominators: Sequence[float], aggregation: str) -> float | None:
    """A percentage of two counters: avg is the pooled ratio over the whole window; min, max,
    last and p95 are over the per-minute ratios; sum is the numerator's total (e.g. 5xx
    responses) and count the denominator's (requests). No denominator: no data."""
    total = sum(denominators)
    match aggregation:
        case "sum":
            return float(sum(numerators))
        case "count":
            return float(total)
    if not total:
        return None
    if aggregation == "avg":
        return share(numerators, total) * 100
    ratios = [n / d * 100 for n, d in zip(numerators, denominators) if d]
    return of_values(ratios, aggregation)


def of_means(totals: Sequence[float], counts: Sequence[float], aggregation: str,
             maxima: Sequence[float] | None = None, histogram: Sequence[float] | None = None) -> float | None:
    """A per-event amount (ms per request, ms per query): avg is the mean over every event in
    the window; sum the total amount and count the number of events; max the largest event when
    known, else the largest per-minute mean; p95 from the latency histogram when there is one,
    else over the per-minute means; min and last over the per-minute means."""
    events = sum(counts)
    match aggregation:
        case "sum":
            return float(sum(totals))
        case "count":
            return float(events)
    if not events:
        return None
    if aggregation == "avg":
        return share(totals, events)
    if aggregation == "max" and maxima is not None:
        return max(m for m, c in zip(maxima, counts) if c)
    if aggregation == "p95" and histogram is not None:
        return histogram_quantile(histogram, 0.95, observed_max=max(maxima) if maxima else None)
    means = [t / c for t, c in zip(totals, counts) if c]
    return of_values(means, aggregation)


def histogram_quantile(counts: Sequence[float], q: float, observed_max: float | None = None) -> float | None:
    """The q-quantile of a latency histogram (counts per LATENCY_BUCKETS_MS bucket, then one for
    everything above), interpolating linearly inside the bucket it falls in, as Prometheus does.
    In the open-ended last bucket the largest observed value is the answer."""
    total = sum(counts)
    if not total:
        return None
    rank = q * total
    cumulative = 0.0
    lower = 0.0
    for i, count in enumerate(counts):
        upper = LATENCY_BUCKETS_MS[i] if i < len(LATENCY_BUCKETS_MS) else None
        if count and cumulative + count >= rank:
            if upper is None:
                return observed_max if observed_max is not None else lower
            estimate = lower + (upper - lower) * (rank - cumulative) / count
            return min(estimate, observed_max) if observed_max is not None else estimate
        cumulative += count
        if upper is not None:
            lower = upper
    return observed_max if observed_max is not None else lower
