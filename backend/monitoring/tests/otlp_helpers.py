"""OTLP bodies as the real OpenTelemetry SDK makes them: instruments recorded through a
MeterProvider (or LoggerProvider), collected, and encoded by the OTLP exporter's own encoder."""

from collections.abc import Callable

from google.protobuf import json_format
from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
from opentelemetry.exporter.otlp.proto.common.metrics_encoder import encode_metrics
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider, UpDownCounter
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

from monitoring.services import create_push_token

# The SDK's default bounds for seconds-valued HTTP durations (semantic conventions).
HTTP_BOUNDS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)


class Meters:
    """A MeterProvider of one resource whose every collect() is an OTLP body."""

    def __init__(self, service: str = "example", *, delta: bool = False, views=(), **resource):
        temporality = AggregationTemporality.DELTA if delta else AggregationTemporality.CUMULATIVE
        self.reader = InMemoryMetricReader(preferred_temporality={
            Counter: temporality, Histogram: temporality, UpDownCounter: AggregationTemporality.CUMULATIVE,
        })
        attributes = {"service.name": service, **{k.replace("_", "."): v for k, v in resource.items()}}
        http_view = View(instrument_name="http.server.request.duration",
                         aggregation=ExplicitBucketHistogramAggregation(HTTP_BOUNDS))
        self.provider = MeterProvider(resource=Resource.create(attributes), metric_readers=[self.reader],
                                      views=[http_view, *views])
        self.meter = self.provider.get_meter("resee.tests")

    def body(self) -> bytes:
        return self.message().SerializeToString()

    def message(self):
        data = self.reader.get_metrics_data()
        assert data is not None
        return encode_metrics(data)

    def json(self) -> bytes:
        return json_format.MessageToJson(self.message()).encode()

    def close(self) -> None:
        self.provider.shutdown()


def log_body(emit: Callable, service: str = "example") -> bytes:
    """What the SDK's OTLP log exporter sends for the records `emit` emits through an OTel logger."""
    exporter = InMemoryLogRecordExporter()
    provider = LoggerProvider(resource=Resource.create({"service.name": service}))
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    try:
        emit(provider.get_logger(f"example.{service}"))
    finally:
        provider.shutdown()
    return encode_logs(exporter.get_finished_logs()).SerializeToString()


def push_token() -> str:
    return create_push_token("tests")[1]


def post(client, path: str, body: bytes, *, token: str | None, content_type="application/x-protobuf", **headers):
    extra = {f"HTTP_{k.upper()}": v for k, v in headers.items()}
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.generic("POST", path, body, content_type=content_type, **extra)
