"""All SQL about statistics. Dimensions map to fixed expressions; nothing from the caller
is ever spliced into the statement but the choice among these constants."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from hub.db.session import Db
from hub.statistics.models import Dimension

_AGE = "extract(year FROM age(k.opened_at::date, ch.birth_date))"
_DURATION = "(coalesce(k.found_at, k.closed_at) - k.opened_at)"
_DELAY = "(k.reported_missing_at - k.opened_at)"
_LATE = """count(*) FILTER (WHERE t.completed_at > t.due_at
    OR (t.status = 'OPEN' AND t.due_at < now()))"""
EXPRESSIONS: dict[Dimension, str] = {
    Dimension.MUNICIPALITY: "ch.responsible_municipality_id",
    Dimension.SEX: "ch.sex",
    Dimension.NATIONALITY: "ch.nationality",
    Dimension.OUTCOME: "coalesce(k.outcome, 'OPEN')",
    Dimension.AGE_BAND: f"""CASE WHEN {_AGE} < 15 THEN '0-14' WHEN {_AGE} < 16 THEN '15'
        WHEN {_AGE} < 17 THEN '16' WHEN {_AGE} < 18 THEN '17' ELSE '18+' END""",
    Dimension.DURATION_BAND: f"""CASE WHEN {_DURATION} IS NULL THEN 'ONGOING'
        WHEN {_DURATION} < interval '1 day' THEN '<1d'
        WHEN {_DURATION} <= interval '7 days' THEN '1-7d'
        WHEN {_DURATION} <= interval '60 days' THEN '8-60d' ELSE '>60d' END""",
    Dimension.POLICE_REPORT_DELAY_BAND: f"""CASE WHEN {_DELAY} IS NULL THEN 'NOT_REPORTED'
        WHEN {_DELAY} <= interval '1 hour' THEN '<=1h'
        WHEN {_DELAY} <= interval '4 hours' THEN '1-4h'
        WHEN {_DELAY} <= interval '24 hours' THEN '4-24h' ELSE '>24h' END""",
    Dimension.TASKS_ON_TIME: f"""(SELECT CASE WHEN count(*) = 0 THEN 'NO_TASKS'
        WHEN {_LATE} = 0 THEN 'ALL_ON_TIME' ELSE 'SOME_LATE' END
        FROM tasks t WHERE t.case_id = k.id AND t.status IN ('OPEN', 'DONE'))""",
}


# counted by the calendar month in Stockholm, the county's own
_MONTH = "to_char(k.opened_at AT TIME ZONE 'Europe/Stockholm', 'YYYY-MM')"


async def episodes(
    db: Db, start: date, end: date, dimensions: Sequence[Dimension]
) -> dict[tuple[str, tuple[str, ...]], list[uuid.UUID]]:
    """Episodes opened from `start` to `end` (inclusive, Stockholm time), per month and
    dimension values: the ids in each cell."""
    columns = [f"({EXPRESSIONS[d]})::text" for d in dimensions]
    select = ", ".join(f"{c} AS d{i}" for i, c in enumerate(columns))
    group = ", ".join(str(i + 2) for i in range(len(columns)))
    sql = f"""
        SELECT {_MONTH} AS month, {select}, array_agg(k.id ORDER BY k.id) AS ids
          FROM cases k JOIN children ch ON ch.id = k.child_id
         WHERE k.opened_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/Stockholm'
           AND k.opened_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Stockholm'
         GROUP BY 1, {group} ORDER BY 1, {group}
    """
    rows = await db.fetch(sql, start, end)
    return {
        (r["month"], tuple(r[f"d{i}"] for i in range(len(columns)))): list(r["ids"]) for r in rows
    }


_SECRET = "SELECT value FROM hub_secrets WHERE name = $1"


async def secret(db: Db, name: str) -> bytes:
    """A secret every replica shares, made by the migrations."""
    value = await db.fetchval(_SECRET, name)
    if value is None:
        raise RuntimeError(f"hub_secrets holds no {name!r}; run the migrations")
    return bytes(value)
