"""The compiled read path's statements for children (`child`, `children`): the same child
columns and facts as a case's child (`hub.cases.compiled_repository`, whose layout and
grants they share), under the child scope, in registration order, with the filters of
`hub.children.repository`."""

from __future__ import annotations

import uuid
from functools import lru_cache

import asyncpg

from hub.cases.compiled_repository import (
    CHILD_SOURCE,
    CONSENTS,
    FACTS,
    FIRST_PAGE,
    GRANTS,
    STATEMENTS,
    Layout,
    grants,
    held,
    listed,
    page_columns,
)
from hub.children.repository import FILTER, SCOPE_PREDICATE, with_cells
from hub.db.session import Session
from hub.policy.categories import DataCategory
from hub.policy.scope import RowScope

_CHILD_ROWS = f"""
SELECT {{columns}}, {FACTS}, {listed("cs.categories")} AS consented,
       {listed("gh.categories")} AS emergency
{CHILD_SOURCE}
"""


def _children_select(layout: Layout, extra: str = "", *, handed: bool = False) -> str:
    """The children's rows; `handed`: with their columns as the answer's rows hold them."""
    child = layout.child or ()
    columns = held("ch", child) if handed else ", ".join(f"ch.{c}" for c in child)
    return _CHILD_ROWS.replace("{columns}", f"{extra}{columns}")


@lru_cache(maxsize=STATEMENTS)
def _child(layout: Layout, cells: tuple[str, ...]) -> str:
    """$1 organisation, $2 sub, $3 the child."""
    return with_cells(
        f"""WITH {grants("$4")}
{_children_select(layout, handed=True)} WHERE {SCOPE_PREDICATE} AND ch.id = $4""",
        {3: cells},
        consents=CONSENTS,
    )


_ID_ONLY = _CHILD_ROWS.replace("{columns}", "ch.id")
_LATER_CHILDREN = f"""(SELECT count(*) FROM ({_ID_ONLY}
         WHERE {SCOPE_PREDICATE} {FILTER}) n) AS total,
       EXISTS (SELECT 1 FROM ({_ID_ONLY} WHERE {SCOPE_PREDICATE} AND ch.id = $9) v)
         AS cursor_ok, """


@lru_cache(maxsize=STATEMENTS)
def _children(
    layout: Layout,
    after: bool,
    cells: tuple[str, ...],
    status_cells: tuple[str, ...],
    placement_cells: tuple[str, ...],
) -> str:
    """A page of children in registration order, as `hub.children.repository.page`: $1
    organisation, $2 sub, $3 municipality, $4 residence, $5 open, $6 cursor, $7 limit."""
    extra = _LATER_CHILDREN if after else FIRST_PAGE
    return with_cells(
        f"""WITH {GRANTS},
page AS MATERIALIZED ({_children_select(layout, extra)}
 WHERE {SCOPE_PREDICATE} {FILTER}
   AND ($9::uuid IS NULL OR (ch.created_at, ch.id) >
        (SELECT a.created_at, a.id FROM children a WHERE a.id = $9))
 ORDER BY ch.created_at, ch.id
 LIMIT $10)
SELECT {held("p", page_columns(layout.child or ()))}
  FROM (SELECT row_number() OVER (ORDER BY created_at, id) AS n, page.* FROM page) p
 ORDER BY p.created_at, p.id""",
        {3: cells, 7: status_cells, 8: placement_cells},
        consents=CONSENTS,
    )


async def child(
    db: Session, layout: Layout, scope: RowScope, child_id: uuid.UUID
) -> asyncpg.Record | None:
    """The child under the child scope."""
    sql = _child(layout, scope.cells)
    found = await db.fetch_alone(sql, scope.organisation_id, scope.sub, child_id)
    return found[0] if found else None


async def children(
    db: Session,
    layout: Layout,
    scope: RowScope,
    filters: tuple[str | None, str | None, bool | None],
    after: uuid.UUID | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Up to `limit` children in registration order, after the child `after` if given;
    the filters act only where the caller may read what they match, as in the
    repository (CASE_STATUS for the municipality and an open case, PLACEMENT for the
    residence)."""
    sql = _children(
        layout,
        after is not None,
        scope.cells,
        scope.by_category[DataCategory.CASE_STATUS],
        scope.by_category[DataCategory.PLACEMENT],
    )
    return await db.fetch_alone(sql, scope.organisation_id, scope.sub, *filters, after, limit)
