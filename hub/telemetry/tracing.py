"""Spans and request metrics for GraphQL: one span per operation (its type and name,
never its document or variables) and one per subscription delivery."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from opentelemetry import trace
from strawberry.extensions import SchemaExtension

from hub.telemetry import instruments

tracer = trace.get_tracer("hub.graphql")
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")


def _operation(ctx: Any) -> tuple[str, str]:
    kind = ctx.operation_type.value if ctx.graphql_document is not None else "invalid"
    name = ctx.operation_name if ctx.operation_name and _NAME.match(ctx.operation_name) else ""
    return kind, name or "anonymous"


def _codes(result: Any) -> list[str]:
    errors = getattr(result, "errors", None) or ()
    return [str((e.extensions or {}).get("code", "INTERNAL")) for e in errors]


class Telemetry(SchemaExtension):
    """Only in the schema when telemetry is configured: off costs nothing."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        with tracer.start_as_current_span("graphql", kind=trace.SpanKind.SERVER) as span:
            yield
            ctx = self.execution_context
            kind, name = _operation(ctx)
            span.update_name(f"graphql.{kind} {name}")
            span.set_attribute("graphql.operation.type", kind)
            span.set_attribute("graphql.operation.name", name)
            codes = _codes(ctx.result)
            for code in codes:
                instruments.errors.add(1, {"code": code})
            if codes:
                span.set_attribute("hub.error.codes", sorted(set(codes)))
        attributes = {"graphql.operation.type": kind}
        instruments.requests.add(1, attributes)
        instruments.duration.record(time.perf_counter() - started, attributes)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        with tracer.start_as_current_span("graphql.subscription.delivery") as span:
            yield
            codes = _codes(result)
            if codes:
                span.set_attribute("hub.error.codes", sorted(set(codes)))
        instruments.deliveries.add(1)
