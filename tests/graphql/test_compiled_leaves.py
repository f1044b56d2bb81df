"""The compiled path leaves dates and timestamps to orjson, which must write them exactly
as strawberry's `isoformat()` serialiser does: for every date and timestamp column the
compiled reads use, and every value asyncpg can hand over for one."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import asyncpg
import orjson

from hub.cases.compiled_repository import CASE_COLUMNS, CHILD_COLUMNS, SIGHTING_COLUMNS

_MOMENTS = [
    datetime(2026, 12, 3, 3, 22, 30, tzinfo=UTC),  # whole seconds: no fraction at all
    datetime(2026, 12, 3, 3, 22, 30, 5, tzinfo=UTC),
    datetime(2026, 12, 3, 3, 22, 30, 500000, tzinfo=UTC),
    datetime(2026, 12, 3, 0, 0, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]


def test_orjson_writes_utc_timestamps_and_dates_as_isoformat_does() -> None:
    moments = [
        m + timedelta(seconds=s, microseconds=u)
        for m in _MOMENTS[:4]
        for s in (0, 1, 59)
        for u in (0, 1, 999, 100000)
    ] + _MOMENTS
    for moment in moments:
        assert orjson.dumps(moment) == json.dumps(moment.isoformat()).encode(), moment
        day = moment.date()
        assert orjson.dumps(day) == json.dumps(day.isoformat()).encode(), day


async def test_every_date_and_time_column_compiled_reads_use_is_a_date_or_a_utc_timestamp(
    db: asyncpg.Connection,
) -> None:
    """asyncpg hands a timestamptz over in UTC whatever the session's zone, and a date as
    a date: the only values the test above must cover."""
    rows = await db.fetch(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_name IN ('cases', 'children', 'sightings')
              AND data_type IN ('date', 'timestamp with time zone',
                                'timestamp without time zone', 'time with time zone',
                                'time without time zone')"""
    )
    used = {"cases": CASE_COLUMNS, "children": CHILD_COLUMNS, "sightings": SIGHTING_COLUMNS}
    kinds = {r["data_type"] for r in rows if r["column_name"] in used[r["table_name"]]}
    assert kinds == {"date", "timestamp with time zone"}
    await db.execute("SET TIME ZONE 'Asia/Kolkata'")
    found = await db.fetchval("SELECT '2026-12-03 10:00:00+05:30'::timestamptz")
    assert found.tzinfo == UTC
    assert found == datetime(2026, 12, 3, 4, 30, tzinfo=UTC)
    assert isinstance(await db.fetchval("SELECT '2026-12-03'::date"), date)
