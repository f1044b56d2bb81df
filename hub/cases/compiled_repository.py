"""The statements of the compiled read path (`hub.graphql.compiled`): one per root field.

A case, or a page of cases, with each case's child as the asker may see it and the
case's sightings, in one statement: the case rows under the case scope (a case shows
where its CASE_STATUS may be read), each child under the child scope, and every row's
policy facts (relation inputs, state, consents, emergency grants) beside it. The rows
are the statements' own columns, in the orders below, not models: the compiled path
projects them straight into the response, which is what makes it fast. Scope, filters
and order are the same SQL as `hub.cases.repository` and `hub.children.repository`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import asyncpg

from hub.cases.repository import CASE_EMERGENCY, FILTER
from hub.children.repository import CHILD_EMERGENCY, CONSENTED, SCOPE_PREDICATE, scope_predicate
from hub.db.session import Db
from hub.policy.scope import RowScope

# the columns of each part, in the order a row holds them
CASE_COLUMNS = (
    "id",
    "version",
    "status",
    "opened_at",
    "police_report_number",
    "reported_missing_at",
    "registered_avviken_at",
    "found_at",
    "closed_at",
    "outcome",
    "last_seen_at",
    "last_seen_place",
    "found_place",
    "circumstances",
    "return_interview",
    "registered_returned_at",
    "child_id",
)
CHILD_COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "nationality",
    "languages",
    "dossier_number",
    "placement_address",
    "asylum_status",
    "health",
    "risk_level",
    "risk_indicators",
    "risk_assessment",
    "height_cm",
    "build",
    "hair",
    "eyes",
    "marks",
    "clothing",
    "photo_url",
)
# after each part's columns: what `hub.policy.facts.RowFacts` holds
FACT_COLUMNS = ("responsible_municipality_id", "residence_id", "guardian_sub", "st")
SIGHTING_COLUMNS = ("id", "seen_at", "place", "note", "kind", "callback_phone")
MAX_SIGHTINGS = 100  # a case's `sightings` without arguments (DEFAULT_SIGHTINGS)

# integer columns: their values fit GraphQL's Int as they are
INTEGER_COLUMNS = frozenset({"version", "height_cm"})
_FACTS = "ch.responsible_municipality_id, ch.residence_id, ch.guardian_sub, st"
_CASES = """
SELECT {columns}, {facts}, {consented}, {emergency}
  FROM cases k
  JOIN children ch ON ch.id = k.child_id
  CROSS JOIN LATERAL (SELECT k.status AS st) s
"""
_CHILD = f"""
LEFT JOIN LATERAL (
SELECT {{columns}}, {_FACTS}, {CONSENTED}, {CHILD_EMERGENCY}
  FROM children ch
  LEFT JOIN LATERAL (
        SELECT k.status FROM cases k WHERE k.child_id = ch.id AND k.status <> 'CLOSED'
  ) oc ON true
  CROSS JOIN LATERAL (SELECT COALESCE(oc.status, 'NONE') AS st) s
 WHERE ch.id = p.child_id AND {scope_predicate("$CELLS")}
) c ON true"""
_SIGHTINGS = f"""ARRAY(
    SELECT ROW({", ".join(f"si.{c}" for c in SIGHTING_COLUMNS)}) FROM sightings si
     WHERE si.case_id = p.id ORDER BY si.seen_at, si.id LIMIT {MAX_SIGHTINGS}) AS sightings"""
_PART = len(FACT_COLUMNS) + 2  # a part's facts, consents and emergency grants


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns a statement reads, and where each is in its rows: [the total], the
    case's columns and facts, [the child's columns and facts], [the sightings]."""

    case: tuple[str, ...]  # "id" and "child_id" among them
    child: tuple[str, ...] | None  # None: the child is not read
    page: bool
    sightings: bool

    @classmethod
    def of(
        cls,
        case: tuple[str, ...],
        child: tuple[str, ...] | None,
        *,
        page: bool,
        sightings: bool,
    ) -> Layout:
        if not set(case) <= set(CASE_COLUMNS) or not set(child or ()) <= set(CHILD_COLUMNS):
            raise ValueError("a column the compiled reads do not know")
        return cls(case, child, page, sightings)

    @property
    def case_at(self) -> int:
        return 1 if self.page else 0

    @property
    def case_facts(self) -> int:
        return self.case_at + len(self.case)

    @property
    def child_at(self) -> int:
        return self.case_facts + _PART

    @property
    def child_facts(self) -> int:
        return self.child_at + len(self.child or ())

    @property
    def sightings_at(self) -> int:
        return self.child_facts + _PART if self.child is not None else self.child_at

    def index(self, part: str, column: str) -> int:
        if part == "Case":
            return self.case_at + self.case.index(column)
        if part == "Child":
            return self.child_at + (self.child or ()).index(column)
        return SIGHTING_COLUMNS.index(column)


def _cases(layout: Layout) -> str:
    return _CASES.format(
        columns=", ".join(f"k.{c}" for c in layout.case),
        facts=_FACTS,
        consented=CONSENTED,
        emergency=CASE_EMERGENCY,
    )


def _parts(layout: Layout, cells: int) -> tuple[str, str]:
    """The select list's additions and the joins for the parts asked for."""
    select = ", c.*" if layout.child is not None else ""
    if layout.sightings:
        select += f", {_SIGHTINGS}"
    if layout.child is None:
        return select, ""
    columns = ", ".join(f"ch.{c}" for c in layout.child)
    return select, _CHILD.replace("{columns}", columns).replace("$CELLS", f"${cells}")


@cache
def _one(layout: Layout) -> str:
    select, joins = _parts(layout, 5)
    return f"""SELECT p.*{select}
  FROM ({_cases(layout)} WHERE {SCOPE_PREDICATE} AND k.id = $4) p{joins}"""


@cache
def _page(layout: Layout) -> str:
    """The page's rows, each with the total: at least one row (the total, nulls beside
    it) when the page is empty."""
    select, joins = _parts(layout, 9)
    cases = _cases(layout)
    return f"""SELECT t.total, p.*{select}
  FROM (SELECT count(*) AS total FROM ({cases} WHERE {SCOPE_PREDICATE} {FILTER}) n) t
  LEFT JOIN LATERAL ({cases}
 WHERE {SCOPE_PREDICATE} {FILTER}
   AND ($7::uuid IS NULL OR (k.opened_at, k.id) <
        (SELECT a.opened_at, a.id FROM cases a WHERE a.id = $7))
 ORDER BY k.opened_at DESC, k.id DESC
 LIMIT $8) p ON true{joins}
 ORDER BY p.opened_at DESC, p.id DESC"""


async def one(
    db: Db, layout: Layout, scope: RowScope, child_scope: RowScope, case_id: uuid.UUID
) -> asyncpg.Record | None:
    """The case under `scope`, its child under `child_scope` (nulls when hidden)."""
    cells = (list(child_scope.cells),) if layout.child is not None else ()
    return await db.fetchrow(_one(layout), *scope.sql_args(), case_id, *cells)


async def page(
    db: Db,
    layout: Layout,
    scope: RowScope,
    child_scope: RowScope,
    filters: tuple[Sequence[str], str | None, uuid.UUID | None],
    after: uuid.UUID | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` cases newest first, each row led by the total without `after`."""
    statuses, municipality, child_id = filters
    cells = (list(child_scope.cells),) if layout.child is not None else ()
    return await db.fetch(
        _page(layout),
        *scope.sql_args(),
        list(statuses),
        municipality,
        child_id,
        after,
        limit,
        *cells,
    )
