"""A faster executor for the hub's hot shape: many objects of plain fields.

graphql-core completes every field through the same general machinery (a resolve-info
object, the resolver, awaitable checks, the non-null/list/leaf dispatch), about 15 µs a
field; a 500-case page has ten thousand of them. Most are "plain": a strawberry field
with no resolver, extension or argument, whose value is simply the source's attribute.
This executor answers those itself: a scalar or enum is coerced in place, an object (or a
list of objects) has its sub-selection executed directly. Every other field, and every
plain one whose value needs graphql-core's judgement (null in a non-null field, a value
that does not coerce, a directive on an object field), goes to graphql-core unchanged;
errors raised below a plain object are handled exactly as graphql-core handles them, so
the response is the same as graphql-core's, errors and their paths included.

It overrides graphql-core's `Executor.execute_fields`, a private method: the pin on
graphql-core (<3.4) and tests/graphql/test_execution.py (responses compared with the
stock executor's) guard that.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable
from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_leaf_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from hub.graphql.precomputed import SharingExecutionContext


class Kind(enum.Enum):
    LEAF = "a scalar or enum"
    OBJECT = "an object"
    OBJECTS = "a list of objects"


class Plain(NamedTuple):
    """How to answer one plain field: read `attribute`, then complete it as `kind`."""

    attribute: str
    kind: Kind
    named: Any  # the leaf or object type inside any list and non-null wrappers
    non_null: bool
    return_type: GraphQLOutputType
    item_type: GraphQLOutputType | None  # for OBJECTS: the item type, non-null or not
    names: dict[Any, str] | None = None  # for an enum: member -> GraphQL name


def enum_names(leaf: Any) -> dict[Any, str] | None:
    """Member -> name for a strawberry enum (its own coercion scans every value)."""
    wrapped = getattr(leaf, "wrapped_cls", None)
    if not isinstance(leaf, GraphQLEnumType) or wrapped is None:
        return None
    return {m: n for n, v in leaf.values.items() for m in wrapped if m.value == v.value}


_PLANS: dict[tuple[GraphQLObjectType, str], Plain | None] = {}


def _unwrap(of_type: Any) -> tuple[Any, bool]:
    if isinstance(of_type, GraphQLNonNull):
        return of_type.of_type, True
    return of_type, False


def attribute_of(field: GraphQLField) -> str | None:
    """The source attribute a field answers with, when strawberry's default resolver
    would only read it (no resolver, extension, permission or argument)."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and getattr(field.resolve, "_is_default", False)
        and definition.is_basic_field
        and not definition.permission_classes
        and not field.args
    ):
        return definition.python_name
    return None


def _plan(field: GraphQLField) -> Plain | None:
    name = attribute_of(field)
    if name is None:
        return None
    inner, non_null = _unwrap(field.type)
    if is_leaf_type(inner):
        return Plain(name, Kind.LEAF, inner, non_null, field.type, None, enum_names(inner))
    if is_object_type(inner) and inner.is_type_of is None:
        return Plain(name, Kind.OBJECT, inner, non_null, field.type, None)
    if isinstance(inner, GraphQLList):
        item, _ = _unwrap(inner.of_type)
        if is_object_type(item) and item.is_type_of is None:
            return Plain(name, Kind.OBJECTS, item, non_null, field.type, inner.of_type)
    return None


def plain(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> Plain | None:
    """The plan for a field if it is plain, else None (memoised per schema type)."""
    key = (parent_type, name)
    try:
        return _PLANS[key]
    except KeyError:
        field = schema.get_field(parent_type, name)
        found = _PLANS[key] = _plan(field) if field is not None else None
        return found


_SLOW = object()


def _leaf(how: Plain, source: Any) -> Any:
    """The field's output value, or _SLOW when graphql-core must answer (with an error)."""
    try:
        value = getattr(source, how.attribute)
        if value is None:
            return _SLOW if how.non_null else None
        if how.names is not None:
            return how.names.get(value, _SLOW)
        coerced = how.named.coerce_output_value(value)
    except Exception:
        return _SLOW
    return _SLOW if coerced is None or coerced is Undefined else coerced


async def awaited(values: Any, keys: list[Any]) -> Any:
    """`values` (a dict or list) with the awaitables at `keys` replaced by their results,
    awaited together (graphql-core's gathering, for fields and for list items)."""
    if len(keys) == 1:
        values[keys[0]] = await values[keys[0]]
        return values
    awaited = await gather_with_cancel(*(values[k] for k in keys))
    for key, value in zip(keys, awaited, strict=True):
        values[key] = value
    return values


class HubExecutionContext(SharingExecutionContext):
    """Plain fields answered in place; everything else as graphql-core does it.

    An object whose selection holds only plain fields (leaves, or objects whose own
    selection does) is a pure function of the object and the selection, so its
    completed value is shared when the same object comes again under the same selection
    (a page's rows share a handful of `withheld` lists, one per type and view, and the
    cases of one child share its object)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (id(value), id(selection)) -> (value, completed): the value kept, its id its own
        self._completed: dict[tuple[int, int], tuple[Any, Any]] = {}
        self._pure: dict[tuple[GraphQLObjectType, int], bool] = {}

    def build_per_event_executor(self, payload: Any) -> Any:
        """graphql-core copies the executor for each subscription event (a shallow copy):
        the memos are per execution, so each event gets its own (a precomputed event gets
        no copy at all)."""
        executor = super().build_per_event_executor(payload)
        if isinstance(executor, HubExecutionContext):
            executor._completed = {}
            executor._pure = {}
        return executor

    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if self._hooked() or not self._pure_selection(return_type, field_details_list):
            return super().collect_and_execute_subfields(
                return_type, field_details_list, path, result, position_context
            )
        key = (id(result), id(field_details_list))
        hit = self._completed.get(key)
        if hit is not None:
            return hit[1]
        errors_before = len(self.collected_errors.errors)
        completed = super().collect_and_execute_subfields(
            return_type, field_details_list, path, result, position_context
        )
        if len(self.collected_errors.errors) == errors_before:  # an error has its own path
            self._completed[key] = (result, completed)
        return completed

    def _hooked(self) -> bool:
        """Whether an extension hooks every resolver: then graphql-core resolves all."""
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    def _pure_selection(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> bool:
        key = (object_type, id(details))  # selections live as long as the execution
        found = self._pure.get(key)
        if found is None:
            grouped, deferred, _ = self.collect_subfields(object_type, details)
            self._pure[key] = False  # (a cycle is not pure)
            found = self._pure[key] = not deferred and all(
                self._pure_field(object_type, sub) for sub in grouped.values()
            )
        return found

    def _pure_field(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> bool:
        """A plain leaf, or a plain object (list) whose own selection is pure."""
        if details[0].node.directives:
            return False
        name = details[0].node.name.value
        how = plain(self.schema, object_type, name)
        if how is None:
            return False
        return how.kind is Kind.LEAF or self._pure_selection(how.named, details)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if self._hooked():
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        schema = self.schema
        try:
            for response_name, field_details_list in grouped_field_set.items():
                how = plain(schema, parent_type, field_details_list[0].node.name.value)
                if how is None:
                    result = _SLOW
                elif how.kind is Kind.LEAF:
                    result = _leaf(how, source_value)
                else:
                    result = self._objects(
                        how,
                        field_details_list,
                        parent_type,
                        path,
                        response_name,
                        source_value,
                        position_context,
                    )
                if result is _SLOW:  # not plain, or its value needs graphql-core's handling
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if result is Undefined:
                        continue
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        return awaited(results, awaitable_fields) if awaitable_fields else results

    def _objects(
        self,
        how: Plain,
        details: FieldDetailsList,
        parent_type: GraphQLObjectType,
        parent_path: Path | None,
        response_name: str,
        source: Any,
        position_context: Any,
    ) -> Any:
        """A plain object or list-of-objects field, completed as graphql-core's
        execute_field would; _SLOW, before anything ran, when graphql-core must do it."""
        if details[0].node.directives:  # @defer, @stream: graphql-core's business
            return _SLOW
        value: Any = getattr(source, how.attribute, _SLOW)
        if value is None:
            return _SLOW if how.non_null else None
        if value is _SLOW or (
            how.kind is Kind.OBJECTS
            and (
                not isinstance(value, list | tuple)  # a shared `withheld` list is a tuple
                or (isinstance(how.item_type, GraphQLNonNull) and any(v is None for v in value))
            )
        ):
            return _SLOW
        path = Path(parent_path, response_name, parent_type.name)
        try:
            if how.kind is Kind.OBJECT:
                completed = self.collect_and_execute_subfields(
                    how.named, details, path, value, position_context
                )
            else:
                completed = self._items(how, details, path, value, position_context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, how.return_type, details, path)
            return None
        if self.is_awaitable(completed):
            return self._guarded(completed, how.return_type, details, path)
        return completed

    def _items(
        self,
        how: Plain,
        details: FieldDetailsList,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        context: Any,
    ) -> Any:
        """graphql-core's complete_iterable_value for a list of plain objects."""
        item_type = how.item_type
        assert item_type is not None
        completed: list[Any] = []
        pending: list[int] = []
        try:
            for index, item in enumerate(items):
                if item is None:  # a nullable item (non-null ones were checked before)
                    completed.append(None)
                    continue
                item_path = path.add_key(index, None)
                try:
                    done = self.collect_and_execute_subfields(
                        how.named, details, item_path, item, context
                    )
                    if self.is_awaitable(done):
                        done = self._guarded(done, item_type, details, item_path)
                        pending.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    done = None
                completed.append(done)
        except Exception:
            self.settle_in_background([completed[i] for i in pending])
            raise
        return awaited(completed, pending) if pending else completed

    async def _guarded(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
