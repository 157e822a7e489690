"""The metric catalogue as alerting sees it.

The catalogue itself is defined once, in `monitoring.catalogue` (the ingest API validates names
against it and monitoring must not import alerts); this module is where alerting code reads it.
"""

from monitoring.catalogue import (  # noqa: F401
    AGGREGATIONS,
    CATALOGUE,
    CATEGORIES,
    COUNTER,
    GAUGE,
    RATIO,
    Metric,
    available_metric_names,
    custom_metric,
    get_metric,
)
