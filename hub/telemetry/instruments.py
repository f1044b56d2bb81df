"""The hub's metrics, made once from the global meter.

Until `hub.telemetry.setup.configure` installs a meter provider (only when OTEL_*
settings ask for export) these are the API's no-op proxies: an `add` costs a method
call. Attributes are low-cardinality words (operation type, error code, outcome),
never ids, names or arguments.
"""

from __future__ import annotations

from opentelemetry import metrics

_meter = metrics.get_meter("hub")

requests = _meter.create_counter(
    "hub.graphql.requests", unit="{operation}", description="GraphQL operations run"
)
duration = _meter.create_histogram(
    "hub.graphql.duration", unit="s", description="Time to run one GraphQL operation"
)
errors = _meter.create_counter(
    "hub.graphql.errors", unit="{error}", description="Errors returned, by code"
)
deliveries = _meter.create_counter(
    "hub.subscription.deliveries", unit="{event}", description="Events sent to subscribers"
)
audit_rows = _meter.create_counter(
    "hub.audit.rows", unit="{row}", description="Audit rows appended to the trail"
)
decisions = _meter.create_counter(
    "hub.policy.decisions", unit="{decision}", description="Policy decisions, by outcome"
)
compiled_reads = _meter.create_counter(
    "hub.graphql.compiled_reads",
    unit="{operation}",
    description="Queries answered by the compiled read path, or falling back (and where)",
)
