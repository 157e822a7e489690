"""The numbers the dashboard asks for most, kept warm in the cache."""

from django.core.cache import cache

from monitoring.selectors import OVERVIEW_CACHE_SECONDS, overview, overview_cache_key

DEFAULT_OVERVIEW_MINUTES = 5


def refresh() -> dict:
    """Recompute the overview (metric values) and store it where the dashboard reads it."""
    numbers = overview(minutes=DEFAULT_OVERVIEW_MINUTES)
    cache.set(overview_cache_key(DEFAULT_OVERVIEW_MINUTES), numbers, OVERVIEW_CACHE_SECONDS)
    return {"metrics": len(numbers["metrics"])}
