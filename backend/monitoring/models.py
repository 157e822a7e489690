from django.db import models
from django.utils import timezone


class MetricSample(models.Model):
    """One measured value of a gauge metric (cpu_usage, a pushed custom metric, ...) at a time."""

    name = models.CharField(max_length=64)
    value = models.FloatField()
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [
            # "the samples of one metric over a time range": the only way they are read.
            models.Index(fields=["name", "timestamp"], name="metricsample_name_time"),
        ]

    def __str__(self):
        return f"{self.name}={self.value:g} at {self.timestamp:%Y-%m-%d %H:%M:%S}"
