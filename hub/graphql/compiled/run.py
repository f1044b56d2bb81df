"""Running a plan: one statement per root field, each row's view from the policy, the
answer from the projectors, and the audit recorder told what the stock path tells it.

Every root field's statement runs, and its rows' views are decided, before the recorder
hears of anything, so an operation that turns out to need the stock path (`Fallback`: a
cursor to refuse, a search) leaves no trace and runs there from the start. Then the
record is begun, and the answer built while it is written (`answer`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql.execution.values import get_argument_values

from hub.actor import Actor
from hub.cases import compiled_repository as rows
from hub.cases.compiled_repository import Layout
from hub.cases.models import CaseStatus
from hub.cases.types import CaseFilterInput
from hub.children import compiled_repository as child_rows
from hub.db.paging import PageRequest
from hub.errors import InvalidInput
from hub.graphql.compiled.plan import Obj, Page, Root
from hub.graphql.compiled.request import Request
from hub.graphql.ids import parse_id
from hub.graphql.pagination import encode_cursor, page_request
from hub.policy.categories import DataCategory

T = TypeVar("T")
Audit = Callable[[], None]  # what to tell the recorder once every root field is decided
# a root field decided: its answer, built on demand, and what to tell the recorder
Decided = tuple[Callable[[], Any], Audit]


def _nothing() -> None:
    """No answer (null), or nothing to tell the recorder."""


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


class Fallback(Exception):
    """This request runs on the stock path (an argument or a value it must report)."""


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


async def _case(root: Root, actor: Actor, args: dict[str, Any]) -> Decided:
    case, layout = root.obj, root.layout
    assert case is not None
    assert layout is not None
    case_id = parse_id(args["id"])
    if case_id is None:
        return _nothing, _nothing
    scope = actor.policy.scope(actor.principal)
    status_scope = scope.for_category(DataCategory.CASE_STATUS)
    found = await rows.one(actor.db, layout, status_scope, scope, case_id)
    if found is None:
        return _nothing, lambda: actor.audit.unseen(case_id=case_id)
    request = Request(actor, layout)
    if layout.gathers:
        request.gathered(found[layout.children_at])
    child = _categories(case.nested("Child"))
    request.shown_cases([found], child is not None)
    return (
        lambda: request.built_cases(case, [found])[0],
        lambda: request.disclose(case.categories, child),
    )


async def _cases(root: Root, actor: Actor, args: dict[str, Any]) -> Decided:
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
    total, shown = _paged(cases, layout, wanted)
    request, node = Request(actor, layout), page.node
    if layout.gathers and cases:
        request.gathered(cases[0][layout.children_at])
    child = _categories(node.nested("Child")) if node is not None else None
    request.shown_cases(shown, child is not None)

    def built() -> Any:
        nodes = request.built_cases(node, shown) if node is not None else [None] * len(shown)
        at = layout.case_at  # a property: worked out once, not per row
        ids = [r[at] for r in shown]
        return _connection(page, nodes, ids, total, len(cases) > wanted.first)

    return built, lambda: request.disclose(page.node_categories, child)


async def _child(root: Root, actor: Actor, args: dict[str, Any]) -> Decided:
    child, layout = root.obj, root.layout
    assert child is not None
    assert layout is not None
    child_id = parse_id(args["id"])
    if child_id is None:
        return _nothing, _nothing
    found = await child_rows.child(actor.db, layout, actor.policy.scope(actor.principal), child_id)
    if found is None:
        return _nothing, lambda: actor.audit.unseen(child_id=child_id)
    request = Request(actor, layout)
    request.shown_children([found])
    return (
        lambda: request.built_children(child, [found])[0],
        lambda: request.disclose(frozenset(), child.categories),
    )


async def _children(root: Root, actor: Actor, args: dict[str, Any]) -> Decided:
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
    found = await child_rows.children(actor.db, layout, scope, filters, wanted.after, wanted.limit)
    total, shown = _paged(found, layout, wanted)
    request, node = Request(actor, layout), page.node
    request.shown_children(shown)

    def built() -> Any:
        nodes = request.built_children(node, shown) if node is not None else [None] * len(shown)
        ids = [r[layout.child_base] for r in shown]
        return _connection(page, nodes, ids, total, len(found) > wanted.first)

    return built, lambda: request.disclose(frozenset(), page.node_categories)


def _paged(rows: list[Any], layout: Layout, wanted: PageRequest) -> tuple[int, list[Any]]:
    """A page's total and the rows it shows; Fallback where the stock path must refuse
    the cursor (one out of the caller's scope is refused, and recorded) or may (an empty
    page after a cursor: is the cursor the caller's at all?)."""
    if not rows and wanted.after is not None:
        raise Fallback
    if rows and not rows[0][layout.total_at + 1]:
        raise Fallback
    return (rows[0][layout.total_at] if rows else 0), rows[: wanted.first]


def _filters(raw: dict[str, Any] | None) -> tuple[list[str], str | None, uuid.UUID | None]:
    """The CaseFilter's statuses, municipality and child, made and checked by the stock
    path's own `CaseFilterInput.to_model` (graphql-core hands an enum over as its value)."""
    given = raw or {}
    where = CaseFilterInput(
        status=[CaseStatus(s) for s in given.get("status") or ()],
        municipality=given.get("municipality"),
        child_id=given.get("childId"),
    ).to_model()
    return [s.value for s in where.statuses], where.municipality_id, where.child_id


def _categories(obj: Obj | None) -> frozenset[DataCategory] | None:
    return obj.categories if obj is not None else None


def _projected(project: Callable[[], T]) -> T:
    """What the projectors made, or Fallback where the stock path must report a value."""
    try:
        return project()
    except (ValueError, KeyError, TypeError) as exc:
        raise Fallback from exc


def _connection(
    page: Page, nodes: list[Any], ids: list[uuid.UUID], total: int, more: bool
) -> dict[str, Any]:
    """The connection's answer; the rows' ids made cursors only where it asks for them."""
    values: dict[str, Any] = {
        "totalCount": total,
        "hasNextPage": more,
        "endCursor": encode_cursor(ids[-1]) if ids else None,
    }
    answer: dict[str, Any] = {}
    for key, name, keys in page.fields:
        if name == "edges":
            if len(keys) == 1 and keys[0][1] == "node":  # the usual `edges { node }`
                only = keys[0][0]
                answer[key] = [{only: node} for node in nodes]
                continue
            edge = page.names["edge"]
            cursors = (
                [encode_cursor(i) for i in ids]
                if any(what == "cursor" for _, what in keys)
                else [""] * len(ids)  # not asked for
            )
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


async def answer(
    roots: list[Root], actor: Actor, executor: Any, recording: Callable[[], Awaitable[None]]
) -> dict[str, Any]:
    """The operation's data, root field by root field. Each field's statement runs and
    its rows' views are decided first; the recorder hears what the answer discloses
    only when every root field got that far (a Fallback leaves no trace), and
    `recording()` starts writing it; the answer is built while the record is written.

    A value a projector cannot write (the stock path reports it) still sends the whole
    operation to the stock path, after the record was begun: the stock path then
    records the same request again, under the same request id, rather than leave a
    disclosure unrecorded. No data the schema's own types accept does that."""
    data: dict[str, Any] = {}
    decided: list[tuple[str, Callable[[], Any]]] = []
    audits: list[Audit] = []
    for root in roots:
        if root.kind == "__typename":
            decided.append((root.key, _constant(root.root)))  # the query type's name
            continue
        run = _RUN[root.kind]
        built, audit = await run(root, actor, _arguments(root, executor))
        decided.append((root.key, built))
        audits.append(audit)
    for audit in audits:
        audit()
    await recording()
    for key, built in decided:
        data[key] = _projected(built)
    return data


_RUN = {"case": _case, "cases": _cases, "child": _child, "children": _children}
