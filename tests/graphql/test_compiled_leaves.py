"""The compiled path leaves dates and timestamps to orjson, which must write them exactly
as strawberry's `isoformat()` serialiser does: for every date and timestamp column the
compiled reads use, and every value asyncpg can hand over for one. Its statements hand a
timestamp over as seconds since the epoch, which must make back the very timestamp."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta

import asyncpg
import orjson
import pytest

from hub.cases.compiled_repository import (
    CASE_COLUMNS,
    CHILD_COLUMNS,
    EPOCH_COLUMNS,
    SIGHTING_COLUMNS,
    TASK_COLUMNS,
)
from hub.graphql.compiled.leaves import EXACT_SECONDS, from_epoch

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_USED = {
    "cases": CASE_COLUMNS,
    "children": CHILD_COLUMNS,
    "sightings": SIGHTING_COLUMNS,
    "tasks": TASK_COLUMNS,
}

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
            WHERE table_name IN ('cases', 'children', 'sightings', 'tasks')
              AND data_type IN ('date', 'timestamp with time zone',
                                'timestamp without time zone', 'time with time zone',
                                'time without time zone')"""
    )
    kinds = {r["data_type"] for r in rows if r["column_name"] in _USED[r["table_name"]]}
    assert kinds == {"date", "timestamp with time zone"}
    timestamps = {
        r["column_name"]
        for r in rows
        if r["column_name"] in _USED[r["table_name"]]
        and r["data_type"] == "timestamp with time zone"
    }
    assert timestamps == EPOCH_COLUMNS  # each handed over as seconds since the epoch
    await db.execute("SET TIME ZONE 'Asia/Kolkata'")
    found = await db.fetchval("SELECT '2026-12-03 10:00:00+05:30'::timestamptz")
    assert found.tzinfo == UTC
    assert found == datetime(2026, 12, 3, 4, 30, tzinfo=UTC)
    assert isinstance(await db.fetchval("SELECT '2026-12-03'::date"), date)


def _moments(n: int) -> list[datetime]:
    """Timestamps across the whole range a double holds to the microsecond: its ends,
    around each power of two seconds (where a double's spacing doubles), whole seconds,
    and at random."""
    last = int(EXACT_SECONDS) * 1_000_000 - 1  # microseconds
    micros = [0, 1, -1, 999_999, 1_000_000, last, -last]
    for power in range(33):
        edge = 2**power * 1_000_000
        micros += [edge + d for d in (-1, 0, 1)] + [-edge + d for d in (-1, 0, 1)]
    rng = random.Random(20261203)
    micros += [rng.randint(-last, last) for _ in range(n)]
    micros += [rng.randint(-last, last) // 1_000_000 * 1_000_000 for _ in range(n // 10)]
    return [_EPOCH + timedelta(microseconds=m) for m in micros if abs(m) <= last]


async def test_seconds_since_the_epoch_make_back_every_timestamp_to_the_microsecond(
    db: asyncpg.Connection,
) -> None:
    moments = _moments(200_000)
    rows = await db.fetch(
        "SELECT t, date_part('epoch', t) AS s FROM unnest($1::timestamptz[]) t", moments
    )
    assert len(rows) == len(moments)
    for row, moment in zip(rows, moments, strict=True):
        assert row["t"] == moment  # what asyncpg makes of the timestamp itself
        made = from_epoch(row["s"])
        assert made == moment, (moment, row["s"])
        assert made.tzinfo is UTC
        assert made.isoformat() == moment.isoformat()


@pytest.mark.parametrize(
    "moment",
    [
        _EPOCH + timedelta(seconds=2**32),  # 2106-02-07 06:28:16
        _EPOCH - timedelta(seconds=2**32),  # 1833-11-24 17:31:44
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
    ],
)
async def test_a_timestamp_a_double_does_not_hold_exactly_is_left_to_the_stock_path(
    db: asyncpg.Connection, moment: datetime
) -> None:
    seconds = await db.fetchval("SELECT date_part('epoch', $1::timestamptz)", moment)
    with pytest.raises(ValueError, match="does not hold"):
        from_epoch(seconds)
    for endless in ("infinity", "-infinity"):
        seconds = await db.fetchval(f"SELECT date_part('epoch', '{endless}'::timestamptz)")
        with pytest.raises(ValueError, match="does not hold"):
            from_epoch(seconds)
