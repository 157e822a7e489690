"""The metric catalogue as alerting sees it.

The catalogue itself is defined once, in `monitoring.catalogue` (the ingest API validates names
against it and monitoring must not import alerts); the lookups that also find custom metrics in
the database are `monitoring.selectors`'. This module is where alerting code reads them.
"""

from monitoring.catalogue import (  # noqa: F401
    AGGREGATIONS,
    CATALOGUE,
    CATEGORIES,
    COUNTER,
    GAUGE,
    RATIO,
    Metric,
    custom_metric,
)
from monitoring.selectors import available_metric_names, get_metric  # noqa: F401
