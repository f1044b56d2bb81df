"""The executor that answers compiled queries, and hands everything else to graphql-core's
own executor below it (as strawberry runs it, with `hub.graphql.precomputed`'s shared
subscription events).

A plan is made once per document (the parser cache keeps one per text), operation and
@skip/@include outcome (the Boolean variables), and kept; so is the verdict that an
operation is outside the compiled subset. Arguments are read per request and always bound
as statement parameters. `hub.graphql.compiled_reads` counts the operations by outcome,
and a fallback by the schema coordinate that caused it (`Query.children`, `Case.tasks`),
so an operator can tell which reads are not compiled.
A request that fails in the compiled path (the database gone) runs on the stock path,
which reports the failure as it always has: nothing was recorded or sent before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from graphql import DocumentNode, GraphQLObjectType, GraphQLSchema, OperationType, validate
from graphql.execution.collect_fields import GroupedFieldSet, collect_fields

from hub.graphql.compiled.plan import Root, Unsupported
from hub.graphql.compiled.planner import Planner
from hub.graphql.compiled.run import Fallback, answer
from hub.graphql.precomputed import SharingExecutionContext
from hub.telemetry import instruments

MAX_PLANS = 1024
_PLANS: dict[tuple[int, int, tuple[tuple[str, bool], ...]], tuple[Any, list[Root] | str]] = {}
COMPILED = {"outcome": "compiled"}
_AT_A_VALUE = {"outcome": "fallback", "at": "a value"}  # an argument or value to report
_AT_AN_ERROR = {"outcome": "fallback", "at": "an error"}
log = logging.getLogger(__name__)


class CompiledExecutionContext(SharingExecutionContext):
    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[Any],
    ) -> Any:
        roots = None
        if (
            root_type is self.schema.query_type
            and not serially
            and not new_defer_usages
            and not self._hooked()
            and self.context_value.operation.actor is not None  # else refused as ever
        ):
            roots = self._compiled(root_type, grouped_field_set)
        if roots is None:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
        return self._answer(roots, root_type, root_value, grouped_field_set)

    def _hooked(self) -> bool:
        """Whether an extension hooks every resolver: then graphql-core resolves all."""
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    async def _answer(
        self,
        roots: list[Root],
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped: GroupedFieldSet,
    ) -> Any:
        operation = self.context_value.operation
        try:
            data = await answer(roots, operation.actor, self, lambda: begin_record(operation))
        except Fallback:
            instruments.compiled_reads.add(1, _AT_A_VALUE)
        except Exception as exc:  # the database gone, say: reported as the stock path does
            log.info("a compiled read runs on the stock path after %s", type(exc).__name__)
            instruments.compiled_reads.add(1, _AT_AN_ERROR)
        else:
            instruments.compiled_reads.add(1, COMPILED)
            return data
        stock = super().execute_collected_root_fields(root_type, root_value, grouped, False, ())
        return await stock if self.is_awaitable(stock) else stock

    def _compiled(
        self, root_type: GraphQLObjectType, grouped: GroupedFieldSet
    ) -> list[Root] | None:
        plan = self.plan(root_type, grouped)
        if isinstance(plan, str):
            instruments.compiled_reads.add(1, {"outcome": "fallback", "at": plan})
            return None
        return plan

    def whole_plan(self) -> list[Root] | str:
        """The plan of this executor's operation when the compiled path answers it whole
        (the express lane, `explain`), else why not: not a query, @defer, or the field
        it stops at."""
        operation = self.operation
        root_type = self.schema.query_type
        if operation.operation is not OperationType.QUERY or root_type is None:
            return f"a {operation.operation.value}, not a query"
        grouped, defers, _ = collect_fields(
            self.schema,
            self.fragments,
            self.variable_values,
            root_type,
            operation,
            self.hide_suggestions,
        )
        return "@defer" if defers else self.plan(root_type, grouped)

    def plan(self, root_type: GraphQLObjectType, grouped: GroupedFieldSet) -> list[Root] | str:
        """The roots' plan, or why the operation is outside the compiled subset."""
        key = (
            id(self.schema),
            id(self.operation),
            boolean_shape(self.variable_values),
        )
        found = _PLANS.get(key)
        if found is None or found[0] != (self.schema, self.operation):
            try:
                plan: list[Root] | str = Planner(self).roots(root_type, grouped)
            except Unsupported as why:
                plan = str(why)
            if not any(d.fragment_variable_values for ds in grouped.values() for d in ds):
                if len(_PLANS) >= MAX_PLANS:
                    _PLANS.pop(next(iter(_PLANS)))
                _PLANS[key] = ((self.schema, self.operation), plan)
        else:
            plan = found[1]
        return plan


async def begin_record(operation: Any) -> None:
    """Begin writing the record of what a compiled answer will disclose: the answer is
    built while the database writes and flushes it. The operation's end
    (`hub.audit.writing.finish`) still waits for it before any data leaves, and writes
    whatever was recorded after."""
    if operation.appender is None or not operation.session.readonly:
        return  # recorded in the operation's own transaction, at its end
    await operation.appender.begin(operation.audit)


def boolean_shape(variables: Any) -> tuple[tuple[str, bool], ...]:
    """The Boolean variables' values: with the document and operation, what a plan
    depends on (@skip and @include)."""
    return tuple(sorted((k, v) for k, v in variables.coerced.items() if type(v) is bool))


def explain(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> str | None:
    """None when the compiled path answers this operation (given these variables' Boolean
    values), else why not: the field it stops at (a runtime reason, such as `after` or a
    filter given, is not known here)."""
    invalid = validate(schema, document)
    if invalid:
        return f"not valid: {invalid[0].message}"
    built = CompiledExecutionContext.build(
        schema, document, raw_variable_values=variables, operation_name=operation_name
    )
    if not isinstance(built, CompiledExecutionContext):
        assert isinstance(built, list)
        return f"not valid: {built[0].message}"
    plan = built.whole_plan()
    return plan if isinstance(plan, str) else None
