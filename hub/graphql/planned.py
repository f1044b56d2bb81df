"""Queries run from a plan: the selection worked out once per document, operation and
@skip/@include outcome (and kept across requests), then applied to every row by a loop
over precomputed steps.

graphql-core decides anew, for every field of every object, how to run it: it looks the
field up, builds a resolve-info, dispatches on the type's wrappers, checks for
awaitables. A 500-case page does that ten thousand times for the same handful of
(type, selection) pairs. Here each pair becomes a `Shape` once per plan: its steps,
each knowing its response key, whether it is an attribute read or a resolver, and how
its value completes (a leaf's serialiser, an object's shape, a list's item). Running a
shape is then a loop of attribute reads and serialisations.

Only the happy path is planned. Whatever needs graphql-core's judgement (a null in a
non-null field, a value that does not serialise, an abstract type, a directive the plan
does not know) is handed to graphql-core's own `execute_field` or `complete_value` at
that field, so errors, their messages and paths, and null propagation are graphql-core's.
Mutations (run serially), incremental delivery and extensions that hook every resolver
run on the executor below unchanged. tests/graphql/test_planned_differential.py compares
the answers with strawberry's stock executor on generated operations.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from math import isfinite
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

from hub.graphql.execution import HubExecutionContext, attribute_of, awaited, enum_names
from hub.telemetry import instruments


class Kind(enum.Enum):
    LEAF = 1
    OBJECT = 2
    LIST = 3
    OTHER = 4  # graphql-core completes it (abstract types, nested lists, is_type_of)


@dataclass(slots=True)
class Completion:
    """How a value of one output type completes."""

    kind: Kind
    return_type: GraphQLOutputType
    non_null: bool
    leaf: GraphQLLeafType | None = None
    serialise: Callable[[Any], Any] | None = None  # a non-null value -> output, or SLOW
    shape: Shape | None = None
    item: Completion | None = None


@dataclass(slots=True)
class Step:
    """One field of a shape."""

    key: str  # the response key (alias or name)
    details: FieldDetailsList
    field_def: GraphQLField | None  # None: __typename
    attribute: str | None  # read this attribute; None: call the resolver
    complete: Completion | None
    whole: bool = False  # graphql-core executes the whole field (a directive it knows)
    nodes: list[Any] = field(default_factory=list)  # the field's nodes, for resolve-infos


@dataclass(slots=True)
class Shape:
    """One object type under one selection."""

    type_: GraphQLObjectType
    name: str
    steps: list[Step] = field(default_factory=list)
    pure: bool = False  # attribute reads only, all the way down: same object, same answer


MAX_PLANS = 1024
_PLANS: dict[tuple[int, int, tuple[tuple[str, bool], ...]], tuple[Any, Shape]] = {}
SLOW = object()  # graphql-core must complete this value
_LEAVES: dict[GraphQLOutputType, Completion] = {}  # by the schema's (long-lived) types
_KNOWN_DIRECTIVES = frozenset({"skip", "include"})  # applied when fields are collected


def _leaf(c: Completion, value: Any) -> Any:
    """A non-null value serialised, or SLOW when graphql-core must say what is wrong."""
    assert c.serialise is not None
    try:
        return c.serialise(value)
    except Exception:
        return SLOW


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def serialiser(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    """The type's own output coercion, with a shortcut for the values it passes through
    unchanged (a str for String and ID, a bool, an int in range, a finite float, an
    enum's member); anything else goes through the coercion itself."""
    names = enum_names(leaf)
    if names is not None:
        return lambda value: names.get(value, SLOW)
    coerce = leaf.coerce_output_value

    def coerced(value: Any) -> Any:
        out = coerce(value)
        return SLOW if out is None or out is Undefined else out

    kept: type | None = None
    if leaf is GraphQLString or leaf is GraphQLID:
        kept = str
    elif leaf is GraphQLBoolean:
        kept = bool
    if kept is not None:
        return lambda value: value if type(value) is kept else coerced(value)
    if leaf is GraphQLInt:
        return lambda v: v if type(v) is int and _INT_MIN <= v <= _INT_MAX else coerced(v)
    if leaf is GraphQLFloat:
        return lambda v: v if type(v) is float and isfinite(v) else coerced(v)
    return coerced


class PlannedExecutionContext(HubExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shapes: dict[tuple[GraphQLObjectType, int], Shape] = {}
        self._args: dict[int, dict[str, Any]] = {}  # by id(step): they hold the variables
        self._answers: dict[tuple[int, int], tuple[Any, Any]] = {}  # pure shapes, per object

    def build_per_event_executor(self, payload: Any) -> Any:
        """Each subscription event completes new objects: its own memo of answers (the
        plans stay: they depend on the document and variables only)."""
        executor = super().build_per_event_executor(payload)
        if isinstance(executor, PlannedExecutionContext):
            executor._answers = {}
        return executor

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[Any],
    ) -> Any:
        if (
            root_type is not self.schema.query_type  # mutations run serially; events as ever
            or serially
            or new_defer_usages
            or self._hooked()
        ):
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
        return self._object(self._plan(root_type, grouped_field_set), root_value, None)

    def _plan(self, root_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Shape:
        """The operation's plan: made once per document (the parser cache keeps one per
        text), operation and @skip/@include outcome (the Boolean variables); arguments
        are coerced per request."""
        key = (
            id(self.schema),
            id(self.operation),
            tuple(
                sorted((k, v) for k, v in self.variable_values.coerced.items() if type(v) is bool)
            ),
        )
        found = _PLANS.get(key)
        if found is not None and found[0] == (self.schema, self.operation):
            return found[1]
        shape = self._shape(root_type, grouped)
        if not any(d.fragment_variable_values for ds in grouped.values() for d in ds):
            if len(_PLANS) >= MAX_PLANS:
                _PLANS.pop(next(iter(_PLANS)))
            # the schema and operation kept with it: their ids stay their own
            _PLANS[key] = ((self.schema, self.operation), shape)
        return shape

    # --- planning --------------------------------------------------------------------

    def _sub_shape(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Shape:
        key = (object_type, id(details))  # field details live as long as the execution
        found = self._shapes.get(key)
        if found is None:
            grouped, deferred, _ = self.collect_subfields(object_type, details)
            if deferred:
                raise _Unplanned
            found = self._shapes[key] = self._shape(object_type, grouped)
        return found

    def _shape(self, object_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Shape:
        shape = Shape(object_type, object_type.name)
        for key, details in grouped.items():
            step = self._step(object_type, key, details)
            if step is not None:
                shape.steps.append(step)
        shape.pure = all(
            s.field_def is None
            or (s.attribute is not None and s.complete is not None and _pure(s.complete))
            for s in shape.steps
        )
        return shape

    def _step(self, parent: GraphQLObjectType, key: str, details: FieldDetailsList) -> Step | None:
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            return Step(key, details, None, None, None)
        field_def = self.schema.get_field(parent, name)
        if field_def is None:
            return None  # graphql-core leaves it out of the response too
        if any(d.name.value not in _KNOWN_DIRECTIVES for d in node.directives or ()):
            return Step(key, details, field_def, None, None, whole=True)
        try:
            complete = self._completion(field_def.type, details)
        except _Unplanned:
            return Step(key, details, field_def, None, None, whole=True)
        nodes = [d.node for d in details]
        return Step(key, details, field_def, attribute_of(field_def), complete, nodes=nodes)

    def _completion(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Completion:
        leaf = _LEAVES.get(type_)
        if leaf is not None:
            return leaf
        non_null = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if is_leaf_type(inner):  # the same for every selection: worked out once per schema
            leaf = _LEAVES[type_] = Completion(
                Kind.LEAF, type_, non_null, leaf=inner, serialise=serialiser(inner)
            )
            return leaf
        if is_object_type(inner) and inner.is_type_of is None:
            return Completion(Kind.OBJECT, type_, non_null, shape=self._sub_shape(inner, details))
        if isinstance(inner, GraphQLList):
            item = self._completion(inner.of_type, details)
            if item.kind in (Kind.LEAF, Kind.OBJECT):
                return Completion(Kind.LIST, type_, non_null, item=item)
        return Completion(Kind.OTHER, type_, non_null)

    # --- running ---------------------------------------------------------------------

    def _object(self, shape: Shape, source: Any, path: Path | None) -> Any:
        """The object's answer: a dict, or an awaitable of one when a resolver awaits."""
        if shape.pure:
            key = (id(source), id(shape))
            hit = self._answers.get(key)
            if hit is not None:
                return hit[1]
        errors_before = len(self.collected_errors.errors)
        results: dict[str, Any] = {}
        waiting: list[str] = []
        try:
            for step in shape.steps:
                if step.field_def is None:
                    results[step.key] = shape.name
                    continue
                if step.whole:
                    done = self._whole(shape, step, source, path)
                    if done is Undefined:
                        continue
                elif step.attribute is not None:
                    done = self._attribute(shape, step, source, path)
                else:
                    done = self._resolved(shape, step, source, path)
                results[step.key] = done
                if done is not None and self.is_awaitable(done):
                    waiting.append(step.key)
        except Exception:  # a non-null field's error nulls this object: finish what started
            self.settle_in_background([results[k] for k in waiting])
            raise
        if waiting:
            return awaited(results, waiting)
        if shape.pure and len(self.collected_errors.errors) == errors_before:
            self._answers[(id(source), id(shape))] = (source, results)  # the source kept alive
        return results

    def _whole(self, shape: Shape, step: Step, source: Any, path: Path | None) -> Any:
        instruments.planned_fields.add(1, {"outcome": "graphql-core"})
        return self.execute_field(
            shape.type_, source, step.details, Path(path, step.key, shape.name), None
        )

    def _attribute(self, shape: Shape, step: Step, source: Any, path: Path | None) -> Any:
        c = step.complete
        assert c is not None
        assert step.attribute is not None
        try:
            value = getattr(source, step.attribute, SLOW)
        except Exception:  # a property that raises: graphql-core reports it
            value = SLOW
        if value is SLOW:  # graphql-core raises what the default resolver raises
            return self._whole(shape, step, source, path)
        if c.kind is Kind.LEAF and value is not None:
            done = _leaf(c, value)
            if done is not SLOW:
                return done
        elif value is None and not c.non_null:
            return None
        return self._finish(shape, step, value, Path(path, step.key, shape.name))

    def _resolved(self, shape: Shape, step: Step, source: Any, path: Path | None) -> Any:
        """A resolver's field, as graphql-core's execute_field runs it."""
        assert step.field_def is not None
        assert step.complete is not None
        field_path = Path(path, step.key, shape.name)
        info = self.build_resolve_info(step.field_def, step.nodes, shape.type_, field_path)
        try:
            args = self._args.get(id(step))
            if args is None:
                first = step.details[0]
                args = self._args[id(step)] = (
                    get_argument_values(
                        step.field_def,
                        first.node,
                        self.variable_values,
                        first.fragment_variable_values,
                        self.hide_suggestions,
                    )
                    if step.field_def.args or first.node.arguments
                    else {}
                )
            resolve = step.field_def.resolve or self.field_resolver
            value = resolve(source, info, **args)
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.field_def.type, step.details, field_path)
            return None
        if self.is_awaitable(value):
            return self._later(step, info, value, field_path)
        return self._finish(shape, step, value, field_path, info)

    def _finish(
        self, shape: Shape, step: Step, value: Any, field_path: Path, info: Any = None
    ) -> Any:
        """A field's value completed, with graphql-core's handling of its errors."""
        assert step.field_def is not None
        assert step.complete is not None
        try:
            completed = self._complete(step.complete, step, info, value, field_path, shape)
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.field_def.type, step.details, field_path)
            return None
        if self.is_awaitable(completed):
            return self._guarded(completed, step.field_def.type, step.details, field_path)
        return completed

    def _complete(
        self,
        c: Completion,
        step: Step,
        info: Any,
        value: Any,
        path: Path,
        shape: Shape | None = None,
    ) -> Any:
        """graphql-core's complete_value for the planned cases; the rest is its own."""
        if value is None or value is Undefined:
            if not c.non_null:
                return None
        elif isinstance(value, Exception):
            pass  # graphql-core raises it, located
        elif c.kind is Kind.LEAF:
            done = _leaf(c, value)
            if done is not SLOW:
                return done
        elif c.kind is Kind.OBJECT:
            assert c.shape is not None
            return self._object(c.shape, value, path)
        elif c.kind is Kind.LIST and isinstance(value, list | tuple):
            done = self._list(c, step, value, path)
            if done is not SLOW:
                return done
        instruments.planned_fields.add(1, {"outcome": "graphql-core"})
        if info is None:
            assert shape is not None
            assert step.field_def is not None
            info = self.build_resolve_info(step.field_def, step.nodes, shape.type_, path)
        return self.complete_value(c.return_type, step.details, info, path, value, None)

    def _list(self, c: Completion, step: Step, items: Sequence[Any], path: Path) -> Any:
        item = c.item
        assert item is not None
        if item.non_null and any(v is None for v in items):
            return SLOW  # graphql-core names the item
        if item.kind is Kind.LEAF:
            out = [None if v is None else _leaf(item, v) for v in items]
            return SLOW if any(v is SLOW for v in out) else out
        assert item.shape is not None
        completed: list[Any] = []
        waiting: list[int] = []
        for index, value in enumerate(items):
            if value is None:
                completed.append(None)
                continue
            item_path = path.add_key(index, None)
            try:
                done = self._object(item.shape, value, item_path)
                if self.is_awaitable(done):
                    done = self._guarded(done, item.return_type, step.details, item_path)
                    waiting.append(index)
            except Exception as raw_error:
                self.handle_field_error(raw_error, item.return_type, step.details, item_path)
                done = None
            completed.append(done)
        return awaited(completed, waiting) if waiting else completed

    async def _later(self, step: Step, info: Any, value: Awaitable[Any], path: Path) -> Any:
        """graphql-core's complete_awaitable_value."""
        assert step.field_def is not None
        assert step.complete is not None
        try:
            resolved = await value
            completed = self._complete(step.complete, step, info, resolved, path)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.field_def.type, step.details, path)
            completed = None
        return completed


class _Unplanned(Exception):
    """A selection the plan leaves to graphql-core (incremental delivery)."""


def _pure(c: Completion) -> bool:
    if c.kind is Kind.LEAF:
        return True
    if c.kind is Kind.OBJECT:
        return c.shape is not None and c.shape.pure
    if c.kind is Kind.LIST:
        return c.item is not None and _pure(c.item)
    return False
