"""Running a plan: one statement per root field, each row's view from the policy, the
answer from the projectors, and the audit recorder told what the stock path tells it.

The views come from `Policy.view`, the one decision point, memoised by every attribute it
reads: a page's rows share a handful. Everything is projected before the recorder hears
of anything, so an operation that turns out to need the stock path (`Fallback`) leaves no
trace and runs there from the start.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from graphql.execution.values import get_argument_values

from hub.actor import Actor
from hub.auth.principal import Principal
from hub.cases import compiled_repository as rows
from hub.cases.compiled_repository import Layout
from hub.cases.models import CaseStatus
from hub.errors import InvalidInput
from hub.graphql.compiled.plan import Obj, Page, Root
from hub.graphql.compiled.project import projector
from hub.graphql.ids import parse_id
from hub.graphql.pagination import encode_cursor, page_request
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy
from hub.policy.facts import RowFacts
from hub.policy.view import RowView

T = TypeVar("T")
Audit = Callable[[], None]  # what to tell the recorder once the whole operation is answered


def _nothing() -> None:
    pass


class Fallback(Exception):
    """This request runs on the stock path (an argument or a value it must report)."""


def row_view(
    policy: Policy,
    principal: Principal,
    r: Any,
    at: int,
    memo: dict[tuple[Any, ...], RowView],
) -> RowView:
    """The caller's view of the part of row `r` whose facts start at `at`, from the one
    decision point, `Policy.view`; rows that share their facts share it (`memo`). The
    statement hands consents and grants over as NULL when there are none."""
    consented, emergency = r[at + 4], r[at + 5]
    key = (
        r[at],
        r[at + 1],
        r[at + 2],
        r[at + 3],
        tuple(consented) if consented else (),
        tuple(emergency) if emergency else (),
    )
    found = memo.get(key)
    if found is None:
        facts = RowFacts(
            responsible_municipality_id=r[at],
            residence_id=r[at + 1],
            guardian_sub=r[at + 2],
            state=r[at + 3],
            consented=frozenset(key[4]),
            emergency=frozenset(key[5]),
        )
        found = memo[key] = policy.view(principal, facts)
    return found


class Request:
    """One root field's compiled answer: the caller's views of its rows, the objects
    disclosed in the order the stock path builds them, nested objects for projectors."""

    __slots__ = (
        "_actor",
        "_case_at",
        "_case_facts",
        "_children",
        "_found",
        "_layout",
        "_views",
        "cases",
        "children",
        "now",
    )

    def __init__(self, actor: Actor, layout: Layout) -> None:
        self._actor = actor
        self.now = datetime.now(UTC)  # what a task is overdue against
        self._layout = layout
        self._case_at, self._case_facts = layout.case_at, layout.case_facts
        self._views: dict[tuple[Any, ...], RowView] = {}
        self._children: dict[tuple[int, uuid.UUID], dict[str, Any]] = {}
        self._found: dict[uuid.UUID, tuple[Any, ...]] = {}
        # the cases built, by child and view, in the order they came
        self.cases: dict[tuple[uuid.UUID, int], tuple[RowView, list[uuid.UUID]]] = {}
        self.children: list[tuple[RowView, uuid.UUID]] = []

    def view(self, r: Any, at: int) -> RowView:
        return row_view(self._actor.policy, self._actor.principal, r, at, self._views)

    def case(self, obj: Obj | None, r: Any) -> dict[str, Any] | None:
        """A case's answer (None when its `node` is not selected: it is still audited,
        as the stock path builds it all the same)."""
        view = self.view(r, self._case_facts)
        key = (r[self._case_at + 1], id(view))
        shown = self.cases.get(key)
        if shown is None:
            self.cases[key] = (view, [r[self._case_at]])
        else:
            shown[1].append(r[self._case_at])
        return projector(obj, view)(r, self) if obj is not None else None

    def row_child(self, obj: Obj | None, r: Any) -> dict[str, Any] | None:
        """A child row's answer (None when its `node` is not selected: audited all the
        same, as the stock path builds it)."""
        view = self.view(r, self._layout.child_facts)
        self.children.append((view, r[self._layout.child_base]))
        return projector(obj, view)(r, self) if obj is not None else None

    def gathered(self, children: list[tuple[Any, ...]] | None) -> None:
        """The children the statement found visible (on its first row)."""
        self._found = {c[0]: c for c in children or ()}

    def child(self, obj: Obj, r: Any) -> dict[str, Any] | None:
        """The case's child as the caller may see it; a child several cases share is
        built once."""
        child_id = r[self._case_at + 1]
        key = (id(obj), child_id)
        found = self._children.get(key)
        if found is None:
            row = self._found.get(child_id)
            if row is None:  # hidden from the caller
                return None
            view = self.view(row, self._layout.child_facts)
            self.children.append((view, child_id))
            found = self._children[key] = projector(obj, view)(row, self)
        return found

    def description(self, obj: Obj, r: Any) -> dict[str, Any]:
        return projector(obj, None)(r, self)

    def alert(self, obj: Obj, r: Any) -> dict[str, Any] | None:
        """The police's efterlysning, if there is one."""
        if r[self._layout.index("Case", "alert_reference")] is None:
            return None
        return projector(obj, None)(r, self)

    def tasks(self, obj: Obj, r: Any) -> list[dict[str, Any]]:
        project = projector(obj, None)
        return [project(t, self) for t in r[self._layout.tasks_at]]

    def sightings(self, obj: Obj, r: Any) -> list[dict[str, Any]]:
        project = projector(obj, None)
        return [project(s, self) for s in r[self._layout.sightings_at]]

    def disclose(
        self,
        case_categories: frozenset[DataCategory],
        child_categories: frozenset[DataCategory] | None,
    ) -> None:
        """Tell the recorder what was built: every case, then every child (the stock
        path builds a list's cases first and resolves their children after). The cases
        of one child under one view are told together, in the order they came."""
        audit = self._actor.audit
        for (child_id, _), (view, case_ids) in self.cases.items():
            audit.disclosed_cases(
                "Case", case_categories, view, child_id=child_id, case_ids=case_ids
            )
        if child_categories is not None:
            for view, child_id in self.children:
                audit.disclosed("Child", child_categories, view, child_id=child_id)


def _arguments(root: Root, executor: Any) -> dict[str, Any]:
    assert root.field_def is not None
    assert root.details is not None
    first = root.details[0]
    return get_argument_values(
        root.field_def,
        first.node,
        executor.variable_values,
        first.fragment_variable_values,
        executor.hide_suggestions,
    )


async def _case(root: Root, actor: Actor, args: dict[str, Any]) -> tuple[Any, Audit]:
    case, layout = root.obj, root.layout
    assert case is not None
    assert layout is not None
    case_id = parse_id(args["id"])
    if case_id is None:
        return None, _nothing
    scope = actor.policy.scope(actor.principal)
    status_scope = scope.for_category(DataCategory.CASE_STATUS)
    found = await rows.one(actor.db, layout, status_scope, scope, case_id)
    if found is None:
        return None, lambda: actor.audit.unseen(case_id=case_id)
    request = Request(actor, layout)
    if layout.gathers:
        request.gathered(found[layout.children_at])
    answer = _projected(lambda: request.case(case, found))
    return answer, lambda: request.disclose(case.categories, _categories(case.nested("Child")))


async def _cases(root: Root, actor: Actor, args: dict[str, Any]) -> tuple[Any, Audit]:
    page, layout = root.page, root.layout
    assert page is not None
    assert layout is not None
    try:  # what the stock path refuses (a bad cursor or filter), it reports itself
        wanted = page_request(args.get("first"), args.get("after"))
        filters = _filters(args.get("filter"))
    except InvalidInput as exc:
        raise Fallback from exc
    scope = actor.policy.scope(actor.principal)
    status_scope = scope.for_category(DataCategory.CASE_STATUS)
    cases = await rows.page(
        actor.db, layout, status_scope, scope, filters, wanted.after, wanted.limit
    )
    if not cases and wanted.after is not None:
        raise Fallback  # an empty page after a cursor: is the cursor the caller's at all?
    if cases and not cases[0][layout.total_at + 1]:
        raise Fallback  # a cursor out of the caller's scope: refused, and recorded
    total = cases[0][layout.total_at] if cases else 0
    at = layout.case_at
    shown = cases[: wanted.first]
    request, node = Request(actor, layout), page.node
    if layout.gathers and cases:
        request.gathered(cases[0][layout.children_at])
    nodes = _projected(lambda: [request.case(node, r) for r in shown])
    cursors = [encode_cursor(r[at]) for r in shown]
    answer = _connection(page, nodes, cursors, total, len(cases) > wanted.first)
    child = _categories(node.nested("Child")) if node is not None else None
    return answer, lambda: request.disclose(page.node_categories, child)


async def _child(root: Root, actor: Actor, args: dict[str, Any]) -> tuple[Any, Audit]:
    child, layout = root.obj, root.layout
    assert child is not None
    assert layout is not None
    child_id = parse_id(args["id"])
    if child_id is None:
        return None, _nothing
    found = await rows.child(actor.db, layout, actor.policy.scope(actor.principal), child_id)
    if found is None:
        return None, lambda: actor.audit.unseen(child_id=child_id)
    request = Request(actor, layout)
    answer = _projected(lambda: request.row_child(child, found))
    return answer, lambda: request.disclose(frozenset(), child.categories)


async def _children(root: Root, actor: Actor, args: dict[str, Any]) -> tuple[Any, Audit]:
    page, layout = root.page, root.layout
    assert page is not None
    assert layout is not None
    raw = args.get("filter") or {}
    if raw.get("search") is not None:
        raise Fallback  # a ranked search (the planner sends literal ones there already)
    try:
        wanted = page_request(args.get("first"), args.get("after"))
    except InvalidInput as exc:
        raise Fallback from exc
    filters = (raw.get("responsibleMunicipalityId"), raw.get("residenceId"), raw.get("hasOpenCase"))
    scope = actor.policy.scope(actor.principal)
    found = await rows.children(actor.db, layout, scope, filters, wanted.after, wanted.limit)
    if not found and wanted.after is not None:
        raise Fallback  # an empty page after a cursor: is the cursor the caller's at all?
    if found and not found[0][layout.total_at + 1]:
        raise Fallback  # a cursor out of the caller's scope: refused, and recorded
    total = found[0][layout.total_at] if found else 0
    shown = found[: wanted.first]
    request, node = Request(actor, layout), page.node
    nodes = _projected(lambda: [request.row_child(node, r) for r in shown])
    cursors = [encode_cursor(r[layout.child_base]) for r in shown]
    answer = _connection(page, nodes, cursors, total, len(found) > wanted.first)
    return answer, lambda: request.disclose(frozenset(), page.node_categories)


def _filters(raw: dict[str, Any] | None) -> tuple[list[str], str | None, uuid.UUID | None]:
    """The CaseFilter's statuses, municipality and child, as `CaseFilterInput.to_model`
    makes them (graphql-core hands an enum over as its value)."""
    if raw is None:
        return [], None, None
    child_id = None
    if raw.get("childId") is not None:
        child_id = parse_id(raw["childId"])
        if child_id is None:
            raise InvalidInput("childId is not a child id", field="filter.childId")
    statuses = [CaseStatus(s).value for s in raw.get("status") or ()]
    return statuses, raw.get("municipality"), child_id


def _categories(obj: Obj | None) -> frozenset[DataCategory] | None:
    return obj.categories if obj is not None else None


def _projected(project: Callable[[], T]) -> T:
    """What the projectors made, or Fallback where the stock path must report a value."""
    try:
        return project()
    except (ValueError, KeyError, TypeError) as exc:
        raise Fallback from exc


def _connection(
    page: Page, nodes: list[Any], cursors: list[str], total: int, more: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "totalCount": total,
        "hasNextPage": more,
        "endCursor": cursors[-1] if cursors else None,
    }
    answer: dict[str, Any] = {}
    for key, name, keys in page.fields:
        if name == "edges":
            edge = page.names["edge"]
            answer[key] = [
                _edge(keys, node, cursor, edge) for node, cursor in zip(nodes, cursors, strict=True)
            ]
        elif name == "pageInfo":
            answer[key] = {k: values.get(what, page.names["pageInfo"]) for k, what in keys}
        else:
            answer[key] = values.get(name, page.names["connection"])
    return answer


def _edge(keys: list[tuple[str, str]], node: Any, cursor: str, name: str) -> dict[str, Any]:
    return {k: node if what == "node" else cursor if what == "cursor" else name for k, what in keys}


async def answer(roots: list[Root], actor: Actor, executor: Any) -> dict[str, Any]:
    """The operation's data, root field by root field; the recorder hears of them only
    when every root field has its answer (a Fallback in the last leaves no trace)."""
    data: dict[str, Any] = {}
    audits: list[Audit] = []
    for root in roots:
        if root.kind == "__typename":
            data[root.key] = "Query"
            continue
        run = _RUN[root.kind]
        data[root.key], audit = await run(root, actor, _arguments(root, executor))
        audits.append(audit)
    for audit in audits:
        audit()
    return data


_RUN = {"case": _case, "cases": _cases, "child": _child, "children": _children}
