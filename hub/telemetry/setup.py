"""Turn telemetry on from the standard OTEL_* variables; off (and free) by default.

On when OTEL_EXPORTER_OTLP_ENDPOINT (or a per-signal OTEL_EXPORTER_OTLP_*_ENDPOINT) is
set and OTEL_SDK_DISABLED is not "true". Export is OTLP over HTTP/protobuf; everything
else (headers, service name, resource attributes, intervals) is read by the SDK from
its own OTEL_* variables. Database spans carry the SQL text, never its parameters.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from hub.errors import ConfigurationError

_ENDPOINTS = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
)
_state = {"enabled": False}


def wanted(env: Mapping[str, str]) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(env.get(name) for name in _ENDPOINTS)


def enabled() -> bool:
    return _state["enabled"]


def configure(env: Mapping[str, str] | None = None) -> Callable[[], None]:
    """Install the OTLP exporters when asked to; the function that flushes them at exit."""
    env = os.environ if env is None else env
    if not wanted(env):
        return lambda: None
    protocol = env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    if protocol != "http/protobuf":
        raise ConfigurationError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol!r}: the hub exports http/protobuf only"
        )
    from opentelemetry import metrics, trace
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": env.get("OTEL_SERVICE_NAME") or "hub"})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    meter_provider = MeterProvider(
        resource=resource, metric_readers=[PeriodicExportingMetricReader(OTLPMetricExporter())]
    )
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    instrumentor = AsyncPGInstrumentor(capture_parameters=False)  # type: ignore[no-untyped-call]
    instrumentor.instrument(tracer_provider=tracer_provider)
    _state["enabled"] = True

    def shutdown() -> None:
        tracer_provider.shutdown()
        meter_provider.shutdown()

    return shutdown


def observe_runtime(
    subscribers: Callable[[], int], pool_sizes: Callable[[], tuple[int, int]]
) -> None:
    """Gauges read at each export: active subscriptions, pool connections in use and idle."""
    from opentelemetry import metrics
    from opentelemetry.metrics import CallbackOptions, Observation

    meter = metrics.get_meter("hub")

    def active(_: CallbackOptions) -> list[Observation]:
        return [Observation(subscribers())]

    def pool(_: CallbackOptions) -> list[Observation]:
        in_use, idle = pool_sizes()
        return [Observation(in_use, {"state": "in_use"}), Observation(idle, {"state": "idle"})]

    meter.create_observable_gauge("hub.subscriptions.active", [active], unit="{subscription}")
    meter.create_observable_gauge("hub.db.pool.connections", [pool], unit="{connection}")
