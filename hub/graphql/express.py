"""The express lane: a compiled read answered without strawberry's per-request machinery.

strawberry takes every request through its HTTP view's generic parsing and through the
hooks of seven to nine extensions, a context manager each; for the case detail that was a third
of the hub's CPU (bench scenario 2). A POST of one JSON query that the compiled path
answers whole needs none of that generality, so this module takes it in a straight line
through the same parts, in the same order:

1. the body read as the view reads it (`hub.graphql.request_json`), a persisted
   operation resolved by the same safelist;
2. the document parsed within the token limit and validated by graphql-core's rules and
   the hub's (`hub.graphql.limits.validation_rules`, the very classes the extensions
   use), once per document text; HUB_PERSISTED_ONLY's refusal of anything else;
3. the variables checked for unsafe text and coerced by graphql-core; the operation's
   plan made by an executor built as the normal way builds it, once per document and
   Boolean variables' values (what @skip and @include decide), then reused without one;
4. the operation begun as the `Transaction` extension begins it (read-only session,
   audit recorder told the selection, action and operation name); the compiled path's
   answer (`hub.graphql.compiled.run.answer`); the record written and the transaction
   ended (`hub.audit.writing.finish`) before a byte leaves;
5. the answer sent as the view sends it; the span and metrics as the `Telemetry`
   extension makes them, when the hub is traced.

Whatever does not take this lane whole goes the normal way, from the start: another
transport or content type, a batch, a mutation or subscription, a document that does not
parse or validate, variables that are unsafe or do not coerce, an operation outside the
compiled subset, and one the compiled path gives up on or fails in. Nothing has been sent
then; what was recorded is what the normal way would have recorded too (a read given up
on after its record was begun is recorded again by the normal way, as the compiled
executor does). `tests/graphql/test_compiled_differential.py` holds the lane's answers,
errors and audit facts equal to the stock executor's; `HUB_EXPRESS=0` turns it off.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
)
from graphql.execution.values import VariableValues, get_variable_values
from graphql.validation import specified_rules
from starlette.requests import Request
from starlette.responses import Response
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from hub.audit.recorder import Selection
from hub.audit.selection import read_selection
from hub.errors import BadRequest
from hub.graphql import request_json
from hub.graphql.compiled import leaves
from hub.graphql.compiled import run as compiled
from hub.graphql.compiled.executor import (
    COMPILED,
    CompiledExecutionContext,
    begin_record,
    boolean_shape,
)
from hub.graphql.compiled.plan import Root
from hub.graphql.context import Context, audit_and_finish
from hub.graphql.extensions import unrecorded
from hub.graphql.limits import CACHED_DOCUMENTS
from hub.graphql.persisted import NotPersisted
from hub.graphql.schema import HubSchema
from hub.parts import Parts
from hub.telemetry import instruments
from hub.telemetry.tracing import operation_name, operation_span
from hub.text import unsafe_text

log = logging.getLogger(__name__)
_STREAMS = ("text/event-stream", "multipart/mixed")


MAX_COERCION_ERRORS = 50  # graphql-core's default, as the normal way coerces
# plans kept per document: each set of Boolean values has its own, and a client choosing
# new sets must not grow the lane's memory without end (past this, planned each time)
PLANS_PER_DOCUMENT = 16


@dataclass(slots=True)
class Admitted:
    """A document that parsed and validated, and what its operation tells the audit."""

    document: DocumentNode
    operation: OperationDefinitionNode
    name: str | None  # the operation's name as strawberry reports it
    selection: Selection
    action: str
    # the plan, or why there is none, by the Boolean variables' values (@skip, @include):
    # made once by a whole executor, then read without building one per request
    plans: dict[tuple[tuple[str, bool], ...], list[Root] | str] = field(default_factory=dict)


class Coerced:
    """What the compiled answer reads of an executor: the coerced variables."""

    __slots__ = ("variable_values",)
    hide_suggestions = False  # as the lane builds an executor

    def __init__(self, variable_values: VariableValues) -> None:
        self.variable_values = variable_values


class Express:
    def __init__(self, runtime: Parts, schema: HubSchema) -> None:
        self.runtime = runtime
        self.schema = schema
        self.safelist = runtime.safelist
        self.rules = (*specified_rules, *schema.rules)
        self._admitted: dict[tuple[str, str | None], Admitted | None] = {}
        self.answered = 0  # requests this lane answered (tests and the bench read it)

    @classmethod
    def of(cls, runtime: Parts) -> Express | None:
        """The lane for the runtime's schema, or None when it may not run: switched off,
        the compiled path off, or an extension hooking every resolver (the lane runs
        none of the extensions' hooks)."""
        schema = runtime.schema
        if (
            not runtime.settings.express
            or not isinstance(schema, HubSchema)
            or not issubclass(schema.execution_context_class or object, CompiledExecutionContext)
            or any(type(e).resolve is not SchemaExtension.resolve for e in schema.get_extensions())
        ):
            return None
        return cls(runtime, schema)

    async def answer(self, request: Request) -> Response | None:
        """The response, or None: the request goes the normal way."""
        if request.method != "POST" or not self._plain(request):
            return None
        try:
            body = request_json.loads(await request.body())
            params = request_json.graphql_request(body)
        except BadRequest:
            return None
        query = params.get("query")
        if self.safelist is not None:
            try:
                query = self.safelist.resolve(query, params.get("extensions"))
            except NotPersisted:
                return None
        variables = params.get("variables")
        if not isinstance(query, str) or next(unsafe_text(variables or {}), None) is not None:
            return None
        admitted = self._admit(query, params.get("operationName"))
        if admitted is None:
            return None
        values = get_variable_values(
            self.schema._schema,
            admitted.operation.variable_definitions or (),
            variables or {},
            max_errors=MAX_COERCION_ERRORS,
        )
        if isinstance(values, list):
            return None  # variables that do not coerce: reported the normal way
        context = Context.of(self.runtime, request)
        roots = self._plan(admitted, values, context, params)
        if isinstance(roots, str):
            return None  # outside the compiled subset: the normal way counts why
        coerced = Coerced(values)
        if not self.schema.traced:
            answered = await self._run(context, admitted, coerced, roots)
            return None if answered is None else answered[0]
        with operation_span() as ending:
            ending.kind, ending.name = "query", operation_name(admitted.name)
            answered = await self._run(context, admitted, coerced, roots)
            if answered is None:
                ending.abandoned = True  # the normal way counts the request
                return None
            response, ending.codes = answered
            return response

    def _plan(
        self, admitted: Admitted, values: VariableValues, context: Context, params: dict[str, Any]
    ) -> list[Root] | str:
        """The operation's plan for these variables' Boolean values, or why there is none;
        the first request of each made it through an executor built as the normal way's."""
        shape = boolean_shape(values)
        plan = admitted.plans.get(shape)
        if plan is None:
            executor = CompiledExecutionContext.build(
                self.schema._schema,
                admitted.document,
                None,
                context,
                params.get("variables"),
                params.get("operationName"),
                is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type] # as strawberry's
                operation_extensions=params.get("extensions"),
            )
            assert isinstance(executor, CompiledExecutionContext)  # they coerced above
            plan = executor.whole_plan()
            if len(admitted.plans) < PLANS_PER_DOCUMENT:
                admitted.plans[shape] = plan
        return plan

    async def _run(
        self,
        context: Context,
        admitted: Admitted,
        coerced: Coerced,
        roots: list[Root],
    ) -> tuple[Response, list[str]] | None:
        """The response and its errors' codes, or None when the compiled path gives up."""
        token = context.begin()
        try:
            operation = context.operation
            actor = operation.actor
            assert actor is not None  # the view refuses a request without a principal
            audit = operation.audit
            audit.selection, audit.action = admitted.selection, admitted.action
            audit.operation = admitted.name
            operation.session.read_only()
            try:
                data = await compiled.answer(roots, actor, coerced, lambda: begin_record(operation))
            except Exception as exc:  # given up on, or failed: the normal way reports it
                log.info("an express read goes the normal way after %s", type(exc).__name__)
                await _finish_abandoned(context)
                return None
            codes: list[str] = []
            try:
                await audit_and_finish(operation, commit=True)
            except Exception as exc:
                error = unrecorded(exc)
                codes.append(str((error.extensions or {}).get("code")))
                body: dict[str, Any] = {"data": None, "errors": [error.formatted]}
            else:
                body = {"data": data}
        finally:
            Context.end(token)
        instruments.compiled_reads.add(1, COMPILED)
        self.answered += 1
        return Response(leaves.dumps(body), media_type="application/json"), codes

    def _plain(self, request: Request) -> bool:
        """A plain JSON request: not a stream, not a form."""
        headers = request.headers
        accept = headers.get("accept", "")
        return "application/json" in _media_type(headers.get("content-type", "")) and not any(
            s in accept for s in _STREAMS
        )

    def _admit(self, query: str, name: str | None) -> Admitted | None:
        key = (query, name)
        if key in self._admitted:
            return self._admitted[key]
        admitted = self._check(query, name)
        if len(self._admitted) >= CACHED_DOCUMENTS:
            self._admitted.pop(next(iter(self._admitted)))
        self._admitted[key] = admitted
        return admitted

    def _check(self, query: str, name: str | None) -> Admitted | None:
        limits = self.schema.limits
        if limits.persisted is not None and not limits.persisted.holds(query):
            return None
        try:
            document = parse(query, max_tokens=limits.tokens)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if validate_document(self.schema._schema, document, self.rules):
            return None
        selection, action = read_selection(self.schema._schema, document)
        own = operation.name.value if operation.name else None
        return Admitted(document, operation, name if name is not None else own, selection, action)


def _media_type(value: str) -> str:
    """The media type as strawberry reads it (`email.message`'s `get_params`, which cost
    3 % of a case detail's CPU): what comes before the first `;`, stripped."""
    return value.split(";", 1)[0].strip()


async def _finish_abandoned(context: Context) -> None:
    """End an operation the lane gives up on, writing whatever its record began with."""
    try:
        await audit_and_finish(context.operation, commit=True)
    except Exception as exc:  # the normal way meets the same failure and reports it
        log.info("an abandoned express read's record: %s", type(exc).__name__)
