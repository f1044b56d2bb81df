"""One root field's compiled answer in the making: each row's view from the policy, the
objects built, nested objects for the projectors, and what the audit recorder is told.

The views come from `Policy.view`, the one decision point, memoised by every attribute it
reads: a page's rows share a handful.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hub.actor import Actor
from hub.auth.principal import Principal
from hub.cases.compiled_repository import Layout
from hub.graphql.compiled.leaves import from_text
from hub.graphql.compiled.plan import Obj
from hub.graphql.compiled.project import projector
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy
from hub.policy.facts import RowFacts
from hub.policy.view import RowView


def row_view(
    policy: Policy,
    principal: Principal,
    r: Any,
    at: int,
    memo: dict[tuple[Any, ...], RowView],
) -> RowView:
    """The caller's view of the part of row `r` whose facts start at `at`, from the one
    decision point, `Policy.view`; rows that share their facts share it (`memo`). The
    statement hands consents and grants over as comma-separated text, NULL when there are
    none (`compiled_repository.listed`), so the facts key the memo as they are."""
    key = r[at : at + 6]  # a Record's slice is a tuple
    found = memo.get(key)
    if found is None:
        consented, emergency = key[4], key[5]
        facts = RowFacts(
            responsible_municipality_id=key[0],
            residence_id=key[1],
            guardian_sub=key[2],
            state=key[3],
            consented=frozenset(consented.split(",")) if consented else frozenset(),
            emergency=frozenset(emergency.split(",")) if emergency else frozenset(),
        )
        found = memo[key] = policy.view(principal, facts)
    return found


class Request:
    """One root field's compiled answer: the caller's views of its rows, what it will
    disclose, noted before it is built and told in the order the stock path builds it,
    and nested objects for projectors."""

    __slots__ = (
        "_actor",
        "_case_at",
        "_case_facts",
        "_children",
        "_found",
        "_layout",
        "_views",
        "case_views",
        "cases",
        "child_views",
        "children",
        "now",
    )

    def __init__(self, actor: Actor, layout: Layout) -> None:
        self._actor = actor
        # what a task is overdue against, naive in UTC as the rows' timestamps are made
        self.now = datetime.now(UTC).replace(tzinfo=None)
        self._layout = layout
        self._case_at, self._case_facts = layout.case_at, layout.case_facts
        self._views: dict[tuple[Any, ...], RowView] = {}
        # children by their id's bytes: each row's id is a UUID of its own, which hashes
        # through its `int` (worked out each time); its bytes hash at a third of that
        self._children: dict[tuple[int, bytes], dict[str, Any]] = {}
        self._found: dict[bytes, tuple[Any, ...]] = {}
        # the cases built, by child and view, in the order they came, with their child;
        # the cases by their ids' bytes, which is what the recorder keeps of them
        self.cases: dict[tuple[bytes, int], tuple[uuid.UUID, RowView, list[bytes]]] = {}
        self.children: list[tuple[RowView, uuid.UUID]] = []
        self.case_views: list[RowView] = []  # the views of the rows `shown_cases` noted
        self.child_views: list[RowView] = []  # and of those `shown_children` noted

    def view(self, r: Any, at: int) -> RowView:
        return row_view(self._actor.policy, self._actor.principal, r, at, self._views)

    def shown_cases(self, rows: list[Any], with_children: bool) -> None:
        """Note what the answer will disclose of these case rows, before it is built:
        each case under its view, grouped by child, and with `with_children` each case's
        child the caller may see (a child several cases share, once)."""
        at, child_at = self._case_at, self._case_at + 1
        views = self.case_views = [self.view(r, self._case_facts) for r in rows]
        if not self._actor.audit.enabled:
            return  # nothing to record (the benchmark's hub without audit): no audit's work
        for r, view in zip(rows, views, strict=True):
            key = (r[child_at].bytes, id(view))
            shown = self.cases.get(key)
            if shown is None:
                self.cases[key] = (r[child_at], view, [r[at].bytes])
            else:
                shown[2].append(r[at].bytes)
        if not with_children:
            return
        # the groups came in the order of each child's first case: so do the children
        noted: set[bytes] = set()
        for (child, _), (child_id, _, _) in self.cases.items():
            row = self._found.get(child)
            if row is not None and child not in noted:  # else hidden from the caller
                noted.add(child)
                self.children.append((self.view(row, self._layout.child_facts), child_id))

    def shown_children(self, rows: list[Any]) -> None:
        """Note the children these rows will disclose, before the answer is built."""
        at = self._layout.child_base
        views = self.child_views = [self.view(r, self._layout.child_facts) for r in rows]
        if self._actor.audit.enabled:
            self.children += zip(views, (r[at] for r in rows), strict=True)

    def built_cases(self, obj: Obj, rows: list[Any]) -> list[dict[str, Any]]:
        """The cases `shown_cases` noted, each under the view decided for it there."""
        return self._built(obj, rows, self.case_views)

    def built_children(self, obj: Obj, rows: list[Any]) -> list[dict[str, Any]]:
        """The children `shown_children` noted, each under the view decided there."""
        return self._built(obj, rows, self.child_views)

    def _built(self, obj: Obj, rows: list[Any], views: list[RowView]) -> list[dict[str, Any]]:
        made: dict[int, Any] = {}
        answer = []
        for r, view in zip(rows, views, strict=True):
            project = made.get(id(view))
            if project is None:
                project = made[id(view)] = projector(obj, view)
            answer.append(project(r, self))
        return answer

    def gathered(self, children: list[tuple[Any, ...]] | None) -> None:
        """The children the statement found visible (on its first row)."""
        self._found = {c[0].bytes: c for c in children or ()}

    def child(self, obj: Obj, r: Any) -> dict[str, Any] | None:
        """The case's child as the caller may see it; a child several cases share is
        built once."""
        child = r[self._case_at + 1].bytes
        key = (id(obj), child)
        found = self._children.get(key)
        if found is None:
            row = self._found.get(child)
            if row is None:  # hidden from the caller
                return None
            view = self.view(row, self._layout.child_facts)
            found = self._children[key] = projector(obj, view)(row, self)
        return found

    def overdue(self, due_at: str) -> bool:
        """Whether a task due at `due_at` (as the rows hold it) is past due (an open one's:
        `hub.routines.models.Task.overdue`)."""
        return from_text(due_at) < self.now

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
        """Tell the recorder what the answer discloses (`shown_cases`, `shown_children`):
        every case, then every child (the stock path builds a list's cases first and
        resolves their children after). The cases of one child under one view are told
        together, in the order they came."""
        audit = self._actor.audit
        for child_id, view, case_ids in self.cases.values():
            audit.disclosed_cases(
                "Case", case_categories, view, child_id=child_id, case_ids=case_ids
            )
        if child_categories is not None:
            for view, child_id in self.children:
                audit.disclosed("Child", child_categories, view, child_id=child_id)
