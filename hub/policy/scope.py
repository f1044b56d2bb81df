"""Row scope: which children and cases a principal may see at all.

Only this package makes a `RowScope`; repository list and get methods require one, so
the type checker refuses a query that forgot to ask the policy. A scope is a set of
bound parameters for one SQL predicate (see `hub.children.repository.scope_predicate`):
the *cells* in which a row shows, each `relation:state` (shown without a consent) or
`relation+:state:CATEGORY` (shown when a valid consent to the asking organisation covers
that category). `guardian` among the cells says the principal is a god man, so that the
guardian relation applies to the children whose `guardianSub` is theirs.

The cells are enumerated from the enforcer (see `Policy.scope`), for the categories a
read acts on: every category for a child row, CASE_STATUS for a case row, and one
category for each filter (a filter on the residence matches only rows whose PLACEMENT the
caller may see). Emergency access never widens a scope; it opens fields of rows already
in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NewType

from hub.policy.categories import DataCategory
from hub.policy.states import POLICY_STATES

# every state a row may be judged in (`NONE`: a child without an open case)
STATES = POLICY_STATES
GUARDIAN_MARK = "guardian"


@dataclass(frozen=True, slots=True)
class ScopeParams:
    organisation_id: str
    sub: str
    cells: tuple[str, ...]  # where a row shows when any of its categories may be read
    by_category: Mapping[DataCategory, tuple[str, ...]]  # where that one category shows

    def sql_args(self) -> tuple[object, ...]:
        """Arguments $1..$3 of the scope predicate, in order."""
        return (self.organisation_id, self.sub, list(self.cells))

    def cells_for(self, category: DataCategory) -> list[str]:
        """The cells of a predicate acting on `category` alone (a filter's), as a parameter."""
        return list(self.by_category[category])

    def for_category(self, category: DataCategory) -> RowScope:
        """The rows in which `category` may be read: a case row is in scope only where
        its CASE_STATUS is, so nothing about a case shows where its existence may not."""
        cells = self.by_category[category]
        return RowScope(ScopeParams(self.organisation_id, self.sub, cells, self.by_category))


RowScope = NewType("RowScope", ScopeParams)
