"""The numbers the dashboard asks for most, kept warm in the cache."""

from django.core.cache import cache
from django.db.models import Count

from monitoring.selectors import OVERVIEW_CACHE_SECONDS, overview, overview_cache_key

from ..models import AlertHistory, AlertStatus, Severity

OPEN_BY_SEVERITY_KEY = "alerts:open-by-severity"
DEFAULT_OVERVIEW_MINUTES = 5


def open_alerts_by_severity() -> dict[str, int]:
    counts = dict.fromkeys(Severity.values, 0)
    rows = AlertHistory.objects.filter(status=AlertStatus.ACTIVE).values_list("severity").annotate(n=Count("id"))
    counts.update(rows.order_by())
    return counts


def refresh() -> dict:
    """Recompute the overview (metric values) and the open alerts by severity and store them."""
    numbers = overview(minutes=DEFAULT_OVERVIEW_MINUTES)
    cache.set(overview_cache_key(DEFAULT_OVERVIEW_MINUTES), numbers, OVERVIEW_CACHE_SECONDS)
    by_severity = open_alerts_by_severity()
    cache.set(OPEN_BY_SEVERITY_KEY, by_severity, timeout=None)
    return {"metrics": len(numbers["metrics"]), "open_alerts": by_severity}
