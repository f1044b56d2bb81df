"""The compiled path leaves dates and timestamps to orjson, which must write them exactly
as strawberry's `isoformat()` serialiser does: for every date and timestamp column the
compiled reads use, and every value asyncpg can hand over for one. Its statements hand a
timestamp over as UTC text, which must make back the very moment, as a naive datetime in
UTC that the responses' encoder (`leaves.dumps`) writes as `isoformat()` writes the aware
one asyncpg makes."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import orjson
import pytest

from hub.cases.compiled_repository import (
    CASE_COLUMNS,
    CHILD_COLUMNS,
    SIGHTING_COLUMNS,
    TASK_COLUMNS,
    TIMESTAMP_COLUMNS,
    held,
)
from hub.graphql.compiled import leaves
from hub.graphql.compiled.leaves import from_text
from tests.conftest import RunningHub
from tests.events.wsclient import acknowledged

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
        naive = moment.replace(tzinfo=None)  # as the compiled reads make it
        assert leaves.dumps(naive) == json.dumps(moment.isoformat()).encode(), moment
        assert orjson.dumps(moment) == leaves.dumps(moment), moment  # and the aware alike
        day = moment.date()
        assert leaves.dumps(day) == json.dumps(day.isoformat()).encode(), day


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
    assert timestamps == TIMESTAMP_COLUMNS  # each handed over as UTC text
    await db.execute("SET TIME ZONE 'Asia/Kolkata'")
    found = await db.fetchval("SELECT '2026-12-03 10:00:00+05:30'::timestamptz")
    assert found.tzinfo == UTC
    assert found == datetime(2026, 12, 3, 4, 30, tzinfo=UTC)
    assert isinstance(await db.fetchval("SELECT '2026-12-03'::date"), date)


def _moments(n: int) -> list[datetime]:
    """Timestamps from the first year to the last: whole seconds, fractions PostgreSQL
    writes short (.5, .25), single microseconds, and at random."""
    first, last = (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
    span = (last - first) // timedelta(microseconds=1)
    rng = random.Random(20261203)
    # from the second second on: asyncpg sends Python's first and last moment as
    # -infinity and infinity
    micros = [1_000_001, span - 1] + [rng.randint(1_000_000, span - 1) for _ in range(n)]
    moments = [first + timedelta(microseconds=m) for m in micros]
    now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    moments += [now + timedelta(microseconds=u) for u in (0, 1, 10, 500000, 250000, 999999)]
    moments += [m.replace(microsecond=0) for m in moments[: n // 10]]
    return moments


async def test_the_text_the_statements_hand_over_makes_back_every_timestamp_exactly(
    db: asyncpg.Connection,
) -> None:
    moments = _moments(100_000)
    await db.execute("SET TIME ZONE 'Asia/Kolkata'")  # the text is UTC's whatever the zone
    await db.execute("SET DateStyle = 'ISO'")  # as the pool sets it
    column = sorted(TIMESTAMP_COLUMNS)[0]
    rows = await db.fetch(
        f"""SELECT x.{column} AS t, {held("x", [column])} AS text
              FROM (SELECT unnest($1::timestamptz[]) AS {column}) x""",
        moments,
    )
    assert len(rows) == len(moments)
    for row, moment in zip(rows, moments, strict=True):
        assert row["t"] == moment  # what asyncpg makes of the timestamp itself
        made = from_text(row["text"])
        assert made == moment.replace(tzinfo=None), (moment, row["text"])
        assert made.tzinfo is None
        assert leaves.dumps(made) == orjson.dumps(moment.isoformat())


async def test_text_that_is_no_timestamp_python_holds_is_left_to_the_stock_path(
    db: asyncpg.Connection,
) -> None:
    column = sorted(TIMESTAMP_COLUMNS)[0]
    made = f"SELECT {held('x', [column])} FROM (SELECT $1::timestamptz AS {column}) x"
    for endless in ("infinity", "-infinity"):
        with pytest.raises(ValueError, match="isoformat"):
            from_text(await db.fetchval(made.replace("$1", f"'{endless}'")))
    await db.execute("SET DateStyle = 'SQL, DMY'")  # a server set otherwise, were the pool not
    with pytest.raises(ValueError, match="isoformat"):
        from_text(await db.fetchval(made, datetime(2026, 12, 3, 10, 0, tzinfo=UTC)))


_TIMES = """{ cases(first: 50) { edges { node {
    id openedAt reportedMissingAt closedAt child { birthDate } } } } }"""


async def _over_a_socket(hub: RunningHub, token: str, query: str) -> Any:
    """A query's answer over graphql-transport-ws (a `subscribe` of a query)."""
    async with acknowledged(hub, token) as ws:
        await ws.send(json.dumps({"id": "q", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert message["type"] == "next", message
        return message["payload"]


async def test_a_compiled_answers_timestamps_read_alike_through_every_door(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    token = hub.token("stockholm")
    lane = (await hub.graphql(token, _TIMES)).json()  # the express lane
    assert "errors" not in lane, lane
    view = await hub.http.get(  # strawberry's view, which the lane leaves GET to
        "/graphql",
        params={"query": _TIMES},
        headers={"authorization": f"Bearer {token}", "accept": "application/json"},
    )
    assert view.json() == lane
    assert await _over_a_socket(hub, token, _TIMES) == lane

    stored = {
        str(r["id"]): r
        for r in await db.fetch(
            "SELECT k.id, k.opened_at, k.reported_missing_at, k.closed_at, c.birth_date "
            "FROM cases k JOIN children c ON c.id = k.child_id"
        )
    }
    nodes = [edge["node"] for edge in lane["data"]["cases"]["edges"]]
    assert nodes
    assert any(n["closedAt"] for n in nodes)
    for node in nodes:  # as strawberry writes asyncpg's aware datetimes
        row = stored[node["id"]]
        assert node["openedAt"] == row["opened_at"].isoformat()
        for field, column in (
            ("reportedMissingAt", "reported_missing_at"),
            ("closedAt", "closed_at"),
        ):
            assert node[field] == (row[column] and row[column].isoformat())
        assert node["child"]["birthDate"] == row["birth_date"].isoformat()
