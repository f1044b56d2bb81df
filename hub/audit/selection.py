"""Which data categories an operation asks for, per object type, read off its document.

The recorder counts a category as disclosed only when the query selected a field of
that category on that type (anywhere in the document, fragments included): a board that
asks for status alone is not recorded as having read health data.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

from hub.audit.recorder import Selection
from hub.graphql.memo import IdentityMemo
from hub.policy.categories import DataCategory

_BACKREF = "strawberry-definition"
_CATEGORY = "hub.category"


class _Collect(Visitor):
    def __init__(self, schema: GraphQLSchema, info: TypeInfo) -> None:
        super().__init__()
        self.info = info
        self.roots_types = (schema.query_type, schema.mutation_type, schema.subscription_type)
        self.found: dict[str, set[DataCategory]] = {}
        self.roots: list[str] = []

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self.info.get_parent_type()
        definition = self.info.get_field_def()
        if parent is None or definition is None:
            return
        if parent in self.roots_types:
            self.roots.append(node.name.value)
        field = (definition.extensions or {}).get(_BACKREF)
        metadata = getattr(field, "metadata", None) or {}
        category = metadata.get(_CATEGORY)
        if isinstance(category, DataCategory):
            self.found.setdefault(get_named_type(parent).name, set()).add(category)


_READ: IdentityMemo[tuple[Selection, str]] = IdentityMemo(512)


def read_selection(schema: GraphQLSchema, document: DocumentNode) -> tuple[Selection, str]:
    """Categories per type name, and the root fields asked for (the audit's action)."""
    return _READ.get((schema, document), lambda: _read(schema, document))


def _read(schema: GraphQLSchema, document: DocumentNode) -> tuple[Selection, str]:
    info = TypeInfo(schema)
    collect = _Collect(schema, info)
    visit(document, TypeInfoVisitor(info, collect))
    selection = {name: frozenset(found) for name, found in collect.found.items()}
    return selection, ",".join(dict.fromkeys(collect.roots)) or "query"
