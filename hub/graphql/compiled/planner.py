"""Planning an operation: for each root field, what every object below it selects, laid
over the columns of the one statement that answers it (`hub.graphql.compiled.plan`).

The fields are collected by graphql-core's own `collect_subfields` (fragments, aliases,
@skip/@include as graphql-core applies them), so the plan holds exactly the response keys
the stock executor would answer, in its order. The compiled subset is what the county's
boards read most: `case(id)`, `cases(first, after, filter)`, `child(id)` and
`children(first, after, filter)` (not a search: ranked, it has its own statement), with a
case's plain fields, `withheld`, `alert`, `tasks` (not who is responsible), `child` and
`sightings` (no arguments), and a child's plain fields, `description` and `withheld`.
Anything else makes the whole operation run on the stock path, and `Unsupported` names
the first field that did.
"""

from __future__ import annotations

from typing import Any, Protocol

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    ObjectValueNode,
    VariableNode,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from hub.cases.compiled_repository import (
    CASE_COLUMNS,
    CHILD_COLUMNS,
    INTEGER_COLUMNS,
    SIGHTING_COLUMNS,
    TASK_COLUMNS,
    TIMESTAMP_COLUMNS,
)
from hub.graphql.categories import field_categories, type_categories
from hub.graphql.compiled.leaves import NotALeaf, conversion
from hub.graphql.compiled.plan import (
    Computed,
    Const,
    Leaf,
    Nested,
    Obj,
    Page,
    Root,
    Unsupported,
    WithheldList,
)
from hub.policy.categories import DataCategory

_KNOWN_DIRECTIVES = frozenset({"skip", "include"})  # applied when fields are collected
_ROOTS = {"case": "Case", "cases": "Case", "child": "Child", "children": "Child"}
_EDGE = ("cursor", "node", "__typename")
_PAGE_INFO = ("hasNextPage", "endCursor", "__typename")
_DESCRIPTION = ("height_cm", "build", "hair", "eyes", "marks", "clothing", "photo_url")
# the columns each object type reads, and the part of the row they are in
_ALERT = {a: f"alert_{a}" for a in ("reference", "issued_at", "cancelled_at", "cancel_reason")}
_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {  # a field's attribute -> its column
    "Case": ("Case", {c: c for c in CASE_COLUMNS}),
    "Child": ("Child", {c: c for c in CHILD_COLUMNS}),
    "Description": ("Child", {c: c for c in _DESCRIPTION}),
    "Sighting": ("Sighting", {c: c for c in SIGHTING_COLUMNS}),
    "Alert": ("Case", _ALERT),
    "Task": ("Task", {c: c for c in TASK_COLUMNS}),
}
# fields a resolver works out from columns: the expression the projector inlines
_COMPUTED = {
    ("Task", "overdue"): "(r[{status}] == 'OPEN' and x.overdue(r[{due_at}]))",  # Task.overdue
    ("Task", "personal"): "(r[{responsible_sub}] is not None)",
}


class Collector(Protocol):
    """What planning needs of graphql-core's executor."""

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Any: ...


def _name(details: FieldDetailsList) -> str:
    node = details[0].node
    for directive in node.directives or ():
        if directive.name.value not in _KNOWN_DIRECTIVES:
            raise Unsupported(f"@{directive.name.value}")
    return node.name.value


def _unwrap(type_: GraphQLOutputType) -> tuple[Any, bool]:
    if isinstance(type_, GraphQLNonNull):
        return type_.of_type, True
    return type_, False


def _item(type_: GraphQLOutputType) -> Any:
    """The named type inside non-null and list wrappers."""
    inner, _ = _unwrap(type_)
    if isinstance(inner, GraphQLList):
        inner, _ = _unwrap(inner.of_type)
    return inner


def _origin(object_type: GraphQLObjectType) -> type[Any]:
    definition = object_type.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    origin: type[Any] = definition.origin
    return origin


def _attribute(field: GraphQLField) -> str | None:
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


def _python_name(field_def: GraphQLField) -> str:
    """The strawberry field's Python name: what `shared` declared its category under."""
    definition = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return str(getattr(definition, "python_name", ""))


def _leaf(
    key: str, field_def: GraphQLField, part: str, column: str, category: DataCategory | None
) -> Leaf:
    try:
        how = conversion(
            field_def.type,
            integer_column=column in INTEGER_COLUMNS,
            timestamp_column=column in TIMESTAMP_COLUMNS,
        )
    except NotALeaf:
        raise Unsupported("a list of objects") from None
    return Leaf(key, part, column, how, category)


def _searches(details: FieldDetailsList) -> bool:
    """Whether `children` may be asked to search: then it always runs on the stock path
    (a variable might hold a search, so any filter given as one counts)."""
    for argument in details[0].node.arguments or ():
        if argument.name.value != "filter":
            continue
        value = argument.value
        if isinstance(value, VariableNode):
            return True
        if isinstance(value, ObjectValueNode):
            return any(f.name.value == "search" for f in value.fields)
    return False


class Planner:
    """Plans one operation's root fields with its executor's field collection."""

    def __init__(self, collector: Collector) -> None:
        self._c = collector
        self._root: Root | None = None  # the root field being planned

    def roots(self, root_type: GraphQLObjectType, grouped: GroupedFieldSet) -> list[Root]:
        roots = []
        for key, details in grouped.items():
            name = _name(details)
            if name == "__typename":  # answered with the query type's name
                roots.append(Root(key, name, None, None, root=root_type.name))
                continue
            field_def = root_type.fields.get(name)
            if field_def is None or name not in _ROOTS:
                raise Unsupported(f"{root_type.name}.{name}")
            if name == "children" and _searches(details):
                raise Unsupported("Query.children(filter: {search})")  # ranked: its own
            inner, _ = _unwrap(field_def.type)
            root = self._root = Root(key, name, field_def, details, root=_ROOTS[name])
            if root.root == "Child":
                root.columns["Child"] = ["id", "created_at"]  # its cursor's order
            if name in ("case", "child"):
                root.obj = self._object(inner, details)
            else:
                root.page = self._page(inner, details)
            root.finish()
            roots.append(root)
        return roots

    def _page(self, connection: GraphQLObjectType, details: FieldDetailsList) -> Page:
        edge_type = _item(connection.fields["edges"].type)
        node_type = _item(edge_type.fields["node"].type)
        info_type = _item(connection.fields["pageInfo"].type)
        names = {
            "connection": connection.name,
            "edge": edge_type.name,
            "pageInfo": info_type.name,
        }
        page = Page([], type_categories(_origin(node_type)), names)
        for key, sub in self._collect(connection, details).items():
            name = _name(sub)
            if name in ("totalCount", "__typename"):
                page.fields.append((key, name, []))
            elif name in ("edges", "pageInfo"):
                inner = _item(connection.fields[name].type)
                page.fields.append((key, name, self._flat(inner, sub, page, name)))
            else:
                raise Unsupported(f"{connection.name}.{name}")
        return page

    def _flat(
        self, object_type: GraphQLObjectType, details: FieldDetailsList, page: Page, of: str
    ) -> list[tuple[str, str]]:
        """An edge's or the page info's keys; an edge's `node` planned as a case."""
        allowed = _EDGE if of == "edges" else _PAGE_INFO
        keys = []
        for key, sub in self._collect(object_type, details).items():
            name = _name(sub)
            if name not in allowed:
                raise Unsupported(f"{object_type.name}.{name}")
            if name == "node":
                if page.node is not None:  # two `node` selections: left to the stock path
                    raise Unsupported(f"{object_type.name}.node twice")
                page.node = self._object(_item(object_type.fields[name].type), sub)
            keys.append((key, name))
        return keys

    def _collect(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Any:
        grouped, deferred, *_ = self._c.collect_subfields(object_type, details)
        if deferred:
            raise Unsupported("@defer")
        return grouped

    def _object(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Obj:
        """Case, Child, Description or Sighting under one selection."""
        type_name = object_type.name
        if type_name not in _COLUMNS:
            raise Unsupported(type_name)
        part, columns = _COLUMNS[type_name]
        origin = _origin(object_type)
        categories = field_categories(origin)
        obj = Obj(type_name, categories=type_categories(origin))
        for key, sub in self._collect(object_type, details).items():
            name = _name(sub)
            if name == "__typename":
                obj.fields.append(Const(key, type_name))
                continue
            field_def = object_type.fields[name]
            attribute = _attribute(field_def)
            category = categories.get(_python_name(field_def))  # as the field declares it
            if name == "withheld" and type_name in ("Case", "Child"):
                obj.fields.append(self._withheld(key, field_def, sub))
            elif name == "child" and type_name == "Case":
                child = self._object(_item(field_def.type), sub)
                obj.fields.append(Nested(key, child, None))
            elif name == "description" and type_name == "Child":
                description = self._object(_item(field_def.type), sub)
                obj.fields.append(Nested(key, description, category))
            elif name == "tasks" and type_name == "Case":
                tasks = self._object(_item(field_def.type), sub)
                obj.fields.append(Nested(key, tasks, category))
            elif (type_name, name) in _COMPUTED:
                index = {c: TASK_COLUMNS.index(c) for c in TASK_COLUMNS}
                obj.fields.append(Computed(key, _COMPUTED[type_name, name].format(**index)))
            elif name == "sightings" and type_name == "Case" and not sub[0].node.arguments:
                sightings = self._object(_item(field_def.type), sub)
                obj.fields.append(Nested(key, sightings, category))
            elif name == "alert" and type_name == "Case":
                alert = self._object(_item(field_def.type), sub)
                self._read(part, _ALERT["reference"])  # whether there is one
                obj.fields.append(Nested(key, alert, category))
            elif attribute is not None and attribute in columns:
                column = columns[attribute]
                obj.fields.append(_leaf(key, field_def, part, column, category))
                self._read(part, column)
            else:
                raise Unsupported(f"{type_name}.{name}")
        return obj

    def _read(self, part: str, column: str) -> None:
        assert self._root is not None
        columns = self._root.columns.get(part)
        if columns is not None and column not in columns:
            columns.append(column)

    def _withheld(
        self, key: str, field_def: GraphQLField, details: FieldDetailsList
    ) -> WithheldList:
        item = _item(field_def.type)
        items = []
        for sub_key, sub in self._collect(item, details).items():
            name = _name(sub)
            if name not in ("category", "reason", "__typename"):
                raise Unsupported(f"{item.name}.{name}")
            items.append((sub_key, name))
        leaf, _ = _unwrap(item.fields["category"].type)
        names = {c: n for n, v in leaf.values.items() for c in DataCategory if c.value == v.value}
        return WithheldList(key, items, names)
