"""An operation's plan: for each root field, what every object below it selects, laid
over the columns of the one statement that answers it (`hub.cases.compiled_repository`).
`hub.graphql.compiled.planner` makes it; `run` and `project` read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetailsList

from hub.cases.compiled_repository import Layout
from hub.graphql.compiled.leaves import Conversion
from hub.policy.categories import DataCategory
from hub.policy.view import RowView


class Unsupported(Exception):
    """The operation is outside the compiled subset; the message names where."""


@dataclass(eq=False, slots=True)
class Leaf:
    key: str
    part: str  # "Case", "Child" or "Sighting": where its column is
    column: str
    conversion: Conversion
    category: DataCategory | None  # masked by the row's view; None: always shown
    index: int = -1  # in the row (a sighting's: in its tuple), once the columns are known


@dataclass(eq=False, slots=True)
class Const:
    key: str
    value: Any  # __typename


@dataclass(eq=False, slots=True)
class Computed:
    key: str
    expression: str  # over the object's row `r` and the request `x`


@dataclass(eq=False, slots=True)
class WithheldList:
    key: str
    items: list[tuple[str, str]]  # (response key, "category" | "reason" | "__typename")
    names: dict[DataCategory, str]  # the DataCategory enum's GraphQL names


@dataclass(eq=False, slots=True)
class Nested:
    key: str
    obj: Obj
    category: DataCategory | None  # the field's own category on its parent (None: child)


@dataclass(eq=False, slots=True)
class Obj:
    """One object type under one selection, and its projectors (`project.projector`)."""

    type_name: str
    fields: list[Leaf | Const | Computed | WithheldList | Nested] = field(default_factory=list)
    categories: frozenset[DataCategory] = frozenset()  # its type's (audit and `withheld`)
    projectors: dict[int, tuple[RowView | None, Callable[..., Any]]] = field(default_factory=dict)

    def nested(self, type_name: str) -> Obj | None:
        """The first object of `type_name` nested in this one, if selected."""
        for f in self.fields:
            if isinstance(f, Nested) and f.obj.type_name == type_name:
                return f.obj
        return None

    def leaves(self) -> Iterator[Leaf]:
        """Every leaf of this object and the objects nested in it."""
        for f in self.fields:
            if isinstance(f, Leaf):
                yield f
            elif isinstance(f, Nested):
                yield from f.obj.leaves()


@dataclass(eq=False, slots=True)
class Page:
    """A `cases` or `children` connection: each response key with what it answers, and
    for `edges` and `pageInfo` their own keys."""

    fields: list[tuple[str, str, list[tuple[str, str]]]]  # (key, field name, sub-keys)
    node_categories: frozenset[DataCategory]  # every row is audited, `node` selected or not
    names: dict[str, str]  # the connection's, the edge's and the page info's type names
    node: Obj | None = None  # the case or child, when an edge's `node` is selected


@dataclass(eq=False, slots=True)
class Root:
    key: str
    kind: str  # "case" | "cases" | "child" | "children" | "__typename"
    field_def: GraphQLField | None
    details: FieldDetailsList | None
    obj: Obj | None = None  # case, child
    page: Page | None = None  # cases, children
    # the columns its statement reads of each part (always the ids, for cursors and the
    # audit, and the order)
    columns: dict[str, list[str]] = field(
        default_factory=lambda: {"Case": ["id", "child_id", "opened_at"], "Child": ["id"]}
    )
    root: str = "Case"  # the type of its rows (`__typename`: the query type's name)
    child: bool = False  # the statement joins the child
    sightings: bool = False  # the statement gathers the sightings
    tasks: bool = False  # and the tasks
    layout: Layout | None = None

    @property
    def case(self) -> Obj | None:
        """The object of each row: a case, or a child."""
        return self.obj if self.page is None else self.page.node

    def finish(self) -> None:
        """Lay the columns out and tell each leaf where its value is."""
        case = self.case
        page = self.kind in ("cases", "children")
        if self.root == "Child":
            self.layout = Layout.of(
                (), tuple(self.columns["Child"]), page=page, sightings=False, root="Child"
            )
        else:
            self.child = case is not None and case.nested("Child") is not None
            self.sightings = case is not None and case.nested("Sighting") is not None
            self.tasks = case is not None and case.nested("Task") is not None
            self.layout = Layout.of(
                tuple(self.columns["Case"]),
                tuple(self.columns["Child"]) if self.child else None,
                page=page,
                sightings=self.sightings,
                tasks=self.tasks,
            )
        for leaf in case.leaves() if case is not None else ():
            leaf.index = self.layout.index(leaf.part, leaf.column)
