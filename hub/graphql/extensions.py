"""Cross-cutting request concerns: the transaction, and errors that never leak internals."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from hub.errors import HubError
from hub.graphql.context import Context

log = logging.getLogger("hub.graphql")


class Transaction(SchemaExtension):
    """Commit the request's session once, after execution; roll back a failed mutation."""

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context: Context = ctx.context
        token = context.begin()
        session = context.session
        try:
            yield
        finally:
            result = ctx.result
            failed = result is None or bool(getattr(result, "errors", None))
            is_mutation = ctx.operation_type is OperationType.MUTATION
            try:
                await session.finish(commit=not (failed and is_mutation))
            finally:
                Context.end(token)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        yield
        # A subscription's event has been sent: give its read-only connection back now,
        # not when the next event arrives, or idle subscribers would each hold one.
        context: Context = self.execution_context.context
        await context.session.finish(commit=True)


def _coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None and error.extensions and "code" in error.extensions:
        return error  # coded already (a stream's result passes here twice)
    if original is None:
        # parse and validation errors: the caller's own query, safe to echo
        code = "GRAPHQL_VALIDATION_FAILED"
        return GraphQLError(
            error.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": code},
        )
    if isinstance(original, HubError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code, **original.extensions},
        )
    incident = uuid.uuid4().hex[:12]
    log.error("internal error %s in %s", incident, error.path, exc_info=original)
    return GraphQLError(
        f"internal error; quote incident {incident} when reporting it",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "INTERNAL", "incident": incident},
    )


class CodedErrors(SchemaExtension):
    """Give every error an `extensions.code`; mask anything that is not a HubError."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_coded(e) for e in result.errors]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result a subscription (or other stream) sends: coded and masked too."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [_coded(e) for e in errors]
        yield
