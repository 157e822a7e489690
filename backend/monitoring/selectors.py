"""Read-side queries over the telemetry."""

from .models import MetricSample


def sample_names() -> list[str]:
    """Every metric name that has samples."""
    return list(MetricSample.objects.order_by().values_list("name", flat=True).distinct())
