"""Cross-cutting request concerns: the transaction, and errors that never leak internals."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from hub.audit.refusals import record_refusals
from hub.audit.selection import read_selection
from hub.errors import HubError
from hub.graphql.context import Context, audit_and_finish

log = logging.getLogger("hub.graphql")


class Transaction(SchemaExtension):
    """Commit the request's session once, after execution, with its audit record; roll
    back a failed mutation (its refusals are still recorded). When the audit record
    cannot be written the response carries no data."""

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        context: Context = ctx.context
        token = context.begin()
        operation = context.operation
        try:
            yield
        finally:
            result = ctx.result
            failed = result is None or bool(getattr(result, "errors", None))
            is_mutation = (  # a document that did not parse has no operation type
                ctx.graphql_document is not None and ctx.operation_type is OperationType.MUTATION
            )
            if result is not None:
                record_refusals(operation.audit, ctx, result.errors or ())
            try:
                await audit_and_finish(operation, commit=not (failed and is_mutation))
            except Exception as exc:
                if result is not None:
                    _withhold(result, exc)
            finally:
                Context.end(token)

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        context: Context = ctx.context
        if ctx.graphql_document is not None:
            audit = context.audit
            audit.selection, audit.action = read_selection(
                self.execution_context.schema._schema, ctx.graphql_document
            )
            audit.operation = ctx.operation_name
            if ctx.operation_type is OperationType.QUERY:
                context.session.read_only()  # its record goes to the appender
        yield

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        # A subscription's event is about to be sent: its audit record is written and
        # its connection given back first (idle subscribers must not each hold one).
        # A cohort's leader hands its answer on first: each member commits a record of its
        # own before it sends, so the members need not wait behind the leader's record
        # (under a burst they queued behind thousands and gave up waiting).
        context: Context = self.execution_context.context
        operation = context.operation
        if operation.publisher is not None:
            operation.publisher.publish(result, operation.audit.disclosures())
        try:
            await audit_and_finish(operation, commit=True)
        except Exception as exc:
            _withhold(result, exc)
        yield


def _withhold(result: Any, exc: Exception) -> None:
    """The audit record could not be written: the result must not carry the data."""
    result.data = None
    result.errors = [unrecorded(exc)]


def unrecorded(exc: Exception) -> GraphQLError:
    """The error sent instead of data whose audit record could not be written."""
    incident = uuid.uuid4().hex[:12]
    log.error("audit record not written (incident %s)", incident, exc_info=exc)
    return GraphQLError(
        f"the audit record could not be written, so nothing is disclosed; try again "
        f"shortly (incident {incident})",
        extensions={"code": "UNAVAILABLE", "incident": incident},
    )


# graphql-core's hints name fields, arguments, types and enum values the caller did not ask
# for ("Did you mean 'health'?"): a map of the schema, which prod does not hand out
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def coded(error: GraphQLError, suggestions: bool = True) -> GraphQLError:
    original = error.original_error
    message = error.message if suggestions else _SUGGESTION.sub("", error.message)
    if original is None and error.extensions and "code" in error.extensions:
        if message == error.message:
            return error  # coded already (a stream's result passes here twice)
        return GraphQLError(
            message,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions=error.extensions,
        )
    if original is None:
        # parse and validation errors: the caller's own query, safe to echo
        return _echoed(error, message, "GRAPHQL_VALIDATION_FAILED")
    if isinstance(original, GraphQLError):
        # a variable missing or of the wrong type: graphql-core wraps its own coercion
        # error; the message names the caller's variable and type, nothing of the hub's
        return _echoed(error, message, "INVALID_INPUT")
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


def _echoed(error: GraphQLError, message: str, code: str) -> GraphQLError:
    """graphql-core's own error about the caller's document, with a code."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code},
    )


class CodedErrors(SchemaExtension):
    """Give every error an `extensions.code`; mask anything that is not a HubError; in
    prod (`suggestions` off) drop graphql-core's "Did you mean" hints."""

    def __init__(self, *, suggestions: bool = True) -> None:
        super().__init__()
        self._suggestions = suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [coded(e, self._suggestions) for e in result.errors]

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result a subscription (or other stream) sends: coded and masked too."""
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [coded(e, self._suggestions) for e in errors]
        yield
