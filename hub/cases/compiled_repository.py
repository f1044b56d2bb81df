"""The statements of the compiled read path (`hub.graphql.compiled`): one per root field.

Cases (`case`, `cases`) here, children (`child`, `children`) in
`hub.children.compiled_repository`, on the same layout and grants.

A case, or a page of cases, in one statement: the case rows under the case scope (a case
shows where its CASE_STATUS may be read), the children they name under the child scope,
gathered once into an array on the first row (a page's cases share a few children), the
sightings of each case as an array, and every row's policy facts beside it. The asker's
consents and emergency grants are read once, at the top, and joined to the rows, each
row's as one comma-separated text (`listed`); a row without any has NULL there. The rows
are the statements' own columns in the order `Layout` gives (timestamps as UTC text,
`held`), not models: the compiled path projects them straight into the response, which
is what makes it fast. Scope, filters and order are the same SQL as
`hub.cases.repository` and `hub.children.repository`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import asyncpg

from hub.cases.repository import FILTER
from hub.children.repository import SCOPE_PREDICATE, scope_predicate, with_cells
from hub.db.session import Session
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
    "alert_reference",  # the police's efterlysning: none when NULL
    "alert_issued_at",
    "alert_cancelled_at",
    "alert_cancel_reason",
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
    "created_at",  # the order of `children`
)
# after each part's columns: what `hub.policy.facts.RowFacts` holds
FACT_COLUMNS = ("responsible_municipality_id", "residence_id", "guardian_sub", "st")
SIGHTING_COLUMNS = ("id", "seen_at", "place", "note", "kind", "callback_phone")
MAX_SIGHTINGS = 100  # a case's `sightings` without arguments (DEFAULT_SIGHTINGS)
TASK_COLUMNS = (
    "id",
    "title",
    "routine",
    "status",
    "due_at",
    "completed_at",
    "closed_reason",
    "responsible_sub",
)
MAX_TASKS = 50  # a case's `tasks` (hub.cases.types.MAX_TASKS)

# integer columns: their values fit GraphQL's Int as they are
INTEGER_COLUMNS = frozenset({"version", "height_cm"})
# timestamptz columns: the rows hold them as UTC text in ISO form (`held`). asyncpg makes
# a timestamp's datetime through a timedelta, ~0.5 µs each (3,000 on a page of 500 cases);
# text costs it next to nothing, and `datetime.fromisoformat` makes the very moment back
# (as a naive datetime in UTC, `hub.graphql.compiled.leaves`) in a fifth of that, while
# PostgreSQL writes the text for less than asyncpg saves
TIMESTAMP_COLUMNS = frozenset(
    {
        "opened_at",
        "reported_missing_at",
        "registered_avviken_at",
        "found_at",
        "closed_at",
        "last_seen_at",
        "registered_returned_at",
        "alert_issued_at",
        "alert_cancelled_at",
        "created_at",  # a child's
        "seen_at",  # a sighting's
        "due_at",  # a task's
        "completed_at",
    }
)
# what follows a part's columns in its rows: its facts, consents and emergency grants
_TAIL = (*FACT_COLUMNS, "consented", "emergency")


def held(alias: str, columns: Sequence[str]) -> str:
    """`alias`'s `columns` as the rows hold them: a timestamp as its UTC text, without
    an offset ("2026-12-03 10:00:00.5", whatever the session's zone; the pool sets
    DateStyle ISO). Statements order and compare by the columns themselves, and convert
    only what they hand over."""
    return ", ".join(
        f"({alias}.{c} AT TIME ZONE 'UTC')::text" if c in TIMESTAMP_COLUMNS else f"{alias}.{c}"
        for c in columns
    )


FACTS = "ch.responsible_municipality_id, ch.residence_id, ch.guardian_sub, st"


def listed(categories: str) -> str:
    """An array of categories (a row's consents or emergency grants) as the rows hold it:
    one text, comma-separated, NULL for none. The arrays are sorted and distinct
    (`array_agg(DISTINCT …)`), so rows with the same categories hold the same text: the
    row's facts then key the caller's view as they are (`request.row_view`), where a text
    array cost asyncpg ~0.4 µs a row to decode and the hub a tuple to hash."""
    return f"array_to_string({categories}, ',')"


def grants(child: str | None = None) -> str:
    """The asker's ($1, $2) valid consents by child (of the child `child` alone, when the
    statement reads one: an NGO has consents for many), and emergency grants by case and
    by child."""
    which = f" AND co.child_id = {child}" if child else ""
    return f"""
consent AS MATERIALIZED (
    SELECT co.child_id, array_agg(DISTINCT cat) AS categories
      FROM valid_consents co, unnest(co.categories) cat
     WHERE co.recipient_organisation_id = $1{which} GROUP BY co.child_id),
granted AS MATERIALIZED (
    SELECT ea.case_id, ek.child_id, ea.category
      FROM emergency_access ea JOIN cases ek ON ek.id = ea.case_id
     WHERE ea.organisation_id = $1 AND ea.sub = $2 AND ea.expires_at > now()),
by_case AS (SELECT case_id, array_agg(DISTINCT category) AS categories
              FROM granted GROUP BY case_id),
by_child AS (SELECT child_id, array_agg(DISTINCT category) AS categories
               FROM granted GROUP BY child_id)"""


GRANTS = grants()  # a page's: its cases may name many children
# every statement joins `consent` to the child `ch` as `cs`: the categories its scope
# predicates find consented to the asker there (`with_cells`)
CONSENTS = "cs.categories"
_CASES = f"""
SELECT {{columns}}, {FACTS}, {listed("cs.categories")} AS consented,
       {listed("gc.categories")} AS emergency
  FROM cases k
  JOIN children ch ON ch.id = k.child_id
  CROSS JOIN LATERAL (SELECT k.status AS st) s
  LEFT JOIN consent cs ON cs.child_id = ch.id
  LEFT JOIN by_case gc ON gc.case_id = k.id
"""
# children with their state (their open case's, or NONE), the asker's consents and grants
CHILD_SOURCE = """
  FROM children ch
  LEFT JOIN LATERAL (
        SELECT k.status FROM cases k WHERE k.child_id = ch.id AND k.status <> 'CLOSED'
  ) oc ON true
  CROSS JOIN LATERAL (SELECT COALESCE(oc.status, 'NONE') AS st) s
  LEFT JOIN consent cs ON cs.child_id = ch.id
  LEFT JOIN by_child gh ON gh.child_id = ch.id"""
_CHILDREN = f"""ARRAY(
SELECT ROW({{columns}}, {FACTS}, {listed("cs.categories")}, {listed("gh.categories")}){CHILD_SOURCE}
 WHERE ch.id IN (SELECT child_id FROM page) AND {scope_predicate("$CELLS")})"""
_SIGHTINGS = f"""ARRAY(
    SELECT ROW({held("si", SIGHTING_COLUMNS)}) FROM sightings si
     WHERE si.case_id = p.id ORDER BY si.seen_at, si.id LIMIT {MAX_SIGHTINGS})"""
_TASKS = f"""ARRAY(
    SELECT ROW({held("ta", TASK_COLUMNS)}) FROM tasks ta
     WHERE ta.case_id = p.id ORDER BY ta.due_at, ta.id LIMIT {MAX_TASKS})"""
_PART = len(_TAIL)  # a part's facts, consents and emergency grants


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns a statement reads, and where each is. A row: [the children, on the
    first row only], [its place in the page, the page's total, whether the cursor is the
    caller's], the case's columns and facts, [its sightings], [its tasks]. A child, an item of the
    children: its columns and facts."""

    case: tuple[str, ...]  # "id", "child_id" and "opened_at" among them
    child: tuple[str, ...] | None  # None: the children are not read
    page: bool
    sightings: bool
    tasks: bool = False
    root: str = "Case"  # "Child": the rows are children (`child`, `children`)

    @classmethod
    def of(
        cls,
        case: tuple[str, ...],
        child: tuple[str, ...] | None,
        *,
        page: bool,
        sightings: bool,
        tasks: bool = False,
        root: str = "Case",
    ) -> Layout:
        if not set(case) <= set(CASE_COLUMNS) or not set(child or ()) <= set(CHILD_COLUMNS):
            raise ValueError("a column the compiled reads do not know")
        if root == "Case" and case[:3] != ("id", "child_id", "opened_at"):
            raise ValueError("a case's ids and order lead its columns")
        if root == "Child" and (case or (child or ())[:2] != ("id", "created_at")):
            raise ValueError("a child's id and order lead its columns, and no case is read")
        return cls(case, child, page, sightings, tasks, root)

    @property
    def children_at(self) -> int:
        return 0

    @property
    def gathers(self) -> bool:
        """Whether the rows lead with the children their cases name."""
        return self.child is not None and self.root == "Case"

    @property
    def total_at(self) -> int:
        return self.gathers + 1  # after the place in the page

    @property
    def case_at(self) -> int:
        return self.gathers + 3 * self.page

    @property
    def case_facts(self) -> int:
        return self.case_at + len(self.case)

    @property
    def child_base(self) -> int:
        """Where a child's columns start: in its own tuple, or in the row (a child root)."""
        return 3 * self.page if self.root == "Child" else 0

    @property
    def child_facts(self) -> int:
        return self.child_base + len(self.child or ())

    @property
    def sightings_at(self) -> int:
        return self.case_facts + _PART

    @property
    def tasks_at(self) -> int:
        return self.sightings_at + self.sightings

    def index(self, part: str, column: str) -> int:
        if part == "Case":
            return self.case_at + self.case.index(column)
        if part == "Child":
            return self.child_base + (self.child or ()).index(column)
        if part == "Task":
            return TASK_COLUMNS.index(column)
        return SIGHTING_COLUMNS.index(column)


def _select(layout: Layout, extra: str = "") -> str:
    columns = ", ".join(f"k.{c}" for c in layout.case)
    return _CASES.replace("{columns}", f"{extra}{columns}")


def _parts(layout: Layout, cells: int) -> tuple[str, str, str]:
    """The children's, the sightings' and the tasks' columns, and the children's join."""
    children = joins = sightings = ""
    if layout.child is not None:  # (a case root's)
        columns = held("ch", layout.child)
        gathered = _CHILDREN.replace("{columns}", columns).replace("$CELLS", f"${cells}")
        joins = f"\n  CROSS JOIN (SELECT {gathered} AS children) kids"
        first = "p.n = 1" if layout.page else "true"
        children = f"CASE WHEN {first} THEN kids.children END, "
    if layout.sightings:
        sightings = f", {_SIGHTINGS}"
    if layout.tasks:
        sightings += f", {_TASKS}"
    return children, sightings, joins


# a statement per layout and policy key (its cells), of a few dozen in use
STATEMENTS = 1024


@lru_cache(maxsize=STATEMENTS)
def _one(layout: Layout, cells: tuple[str, ...], child_cells: tuple[str, ...]) -> str:
    """$1 organisation, $2 sub, $3 the case."""
    children, sightings, joins = _parts(layout, 5)
    return with_cells(
        f"""WITH {grants("(SELECT c.child_id FROM cases c WHERE c.id = $4)")},
page AS MATERIALIZED ({_select(layout)} WHERE {SCOPE_PREDICATE} AND k.id = $4)
SELECT {children}{held("p", (*layout.case, *_TAIL))}{sightings}
  FROM page p{joins}""",
        {3: cells, 5: child_cells},
        consents=CONSENTS,
    )


def page_columns(part: tuple[str, ...]) -> tuple[str, ...]:
    """A page's rows: each one's place, the total, whether the cursor is the caller's,
    then the part's columns and what follows them."""
    return ("n", "total", "cursor_ok", *part, *_TAIL)


# Without a cursor, the total is a window over the rows the WHERE keeps (computed before
# the LIMIT); after one, the rows before the cursor count too, as in `repository.page`.
FIRST_PAGE = "count(*) OVER () AS total, true AS cursor_ok, "
_LATER_PAGE = f"""(SELECT count(*) FROM ({_CASES.replace("{columns}", "k.id")}
         WHERE {SCOPE_PREDICATE} {FILTER}) n) AS total,
       EXISTS (SELECT 1 FROM ({_CASES.replace("{columns}", "k.id")}
                WHERE {SCOPE_PREDICATE} AND k.id = $7) v) AS cursor_ok, """


@lru_cache(maxsize=STATEMENTS)
def _page(layout: Layout, after: bool, cells: tuple[str, ...], child_cells: tuple[str, ...]) -> str:
    """The page's rows, newest first, each with its place, the total and whether the
    cursor is one of the caller's cases; no rows at all when the page is empty. $1
    organisation, $2 sub, $3 statuses, $4 municipality, $5 child, $6 cursor, $7 limit."""
    children, sightings, joins = _parts(layout, 9)
    extra = _LATER_PAGE if after else FIRST_PAGE
    return with_cells(
        f"""WITH {GRANTS},
page AS MATERIALIZED ({_select(layout, extra)}
 WHERE {SCOPE_PREDICATE} {FILTER}
   AND ($7::uuid IS NULL OR (k.opened_at, k.id) <
        (SELECT a.opened_at, a.id FROM cases a WHERE a.id = $7))
 ORDER BY k.opened_at DESC, k.id DESC
 LIMIT $8)
SELECT {children}{held("p", page_columns(layout.case))}{sightings}
  FROM (SELECT row_number() OVER (ORDER BY opened_at DESC, id DESC) AS n, page.*
          FROM page) p{joins}
 ORDER BY p.opened_at DESC, p.id DESC""",
        {3: cells, 9: child_cells},
        consents=CONSENTS,
    )


async def one(
    db: Session, layout: Layout, scope: RowScope, child_scope: RowScope, case_id: uuid.UUID
) -> asyncpg.Record | None:
    """The case under `scope`, its child under `child_scope` (nulls when hidden)."""
    sql = _one(layout, scope.cells, _child_cells(layout, child_scope))
    found = await db.fetch_alone(sql, scope.organisation_id, scope.sub, case_id)
    return found[0] if found else None


async def page(
    db: Session,
    layout: Layout,
    scope: RowScope,
    child_scope: RowScope,
    filters: tuple[Sequence[str], str | None, uuid.UUID | None],
    after: uuid.UUID | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` cases newest first, after the case `after` if given."""
    statuses, municipality, child_id = filters
    return await db.fetch_alone(
        _page(layout, after is not None, scope.cells, _child_cells(layout, child_scope)),
        scope.organisation_id,
        scope.sub,
        list(statuses),
        municipality,
        child_id,
        after,
        limit,
    )


def _child_cells(layout: Layout, child_scope: RowScope) -> tuple[str, ...]:
    return child_scope.cells if layout.child is not None else ()
