"""Spans and request metrics for GraphQL: one span per operation (its type and name,
never its document or variables) and one per subscription delivery."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from strawberry.extensions import SchemaExtension

from hub.telemetry import instruments

tracer = trace.get_tracer("hub.graphql")
_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,63}$")


def _operation(ctx: Any) -> tuple[str, str]:
    kind = ctx.operation_type.value if ctx.graphql_document is not None else "invalid"
    return kind, operation_name(ctx.operation_name)


def _codes(result: Any) -> list[str]:
    errors = getattr(result, "errors", None) or ()
    return [str((e.extensions or {}).get("code", "INTERNAL")) for e in errors]


class Ending:
    """What an operation's span is told when the operation ends."""

    __slots__ = ("abandoned", "codes", "kind", "name")

    def __init__(self) -> None:
        self.kind, self.name, self.codes = "invalid", "anonymous", list[str]()
        self.abandoned = False  # handed on to another path, which makes its own


@contextmanager
def operation_span() -> Iterator[Ending]:
    """The span and metrics of one operation (the extension's, and the express lane's);
    the caller fills in the `Ending` before the block ends."""
    started = time.perf_counter()
    ending = Ending()
    with tracer.start_as_current_span("graphql", kind=trace.SpanKind.SERVER) as span:
        yield ending
        kind, name = ending.kind, ending.name
        if ending.abandoned:  # counted by the path it was handed to
            span.update_name(f"graphql.{kind} {name} (handed on)")
            return
        span.update_name(f"graphql.{kind} {name}")
        span.set_attribute("graphql.operation.type", kind)
        span.set_attribute("graphql.operation.name", name)
        for code in ending.codes:
            instruments.errors.add(1, {"code": code})
        if ending.codes:
            span.set_attribute("hub.error.codes", sorted(set(ending.codes)))
    attributes = {"graphql.operation.type": kind}
    instruments.requests.add(1, attributes)
    instruments.duration.record(time.perf_counter() - started, attributes)


def operation_name(name: str | None) -> str:
    """The name a span may carry: the operation's own when it is a plain name."""
    return name if name and _NAME.match(name) else "anonymous"


class Telemetry(SchemaExtension):
    """Only in the schema when telemetry is configured: off costs nothing."""

    def on_operation(self) -> Iterator[None]:
        with operation_span() as ending:
            yield
            ctx = self.execution_context
            ending.kind, ending.name = _operation(ctx)
            ending.codes = _codes(ctx.result)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        with tracer.start_as_current_span("graphql.subscription.delivery") as span:
            yield
            codes = _codes(result)
            if codes:
                span.set_attribute("hub.error.codes", sorted(set(codes)))
        instruments.deliveries.add(1)
