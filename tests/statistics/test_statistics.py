"""Statistics for the county board: aggregates only, cells under 5 suppressed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from tests.conftest import RunningHub

QUERY = """query($from: Date!, $to: Date!, $by: [StatisticsDimension!]!) {
    statistics(from: $from, to: $to, groupBy: $by) {
        values { dimension value } count suppressed } }"""


def _range() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}


async def _many_closed_cases(db: asyncpg.Connection, municipality: str, n: int) -> None:
    children = await db.fetch(
        "SELECT id FROM children WHERE responsible_municipality_id = $1 LIMIT $2", municipality, n
    )
    for row in children:
        opened = datetime.now(UTC) - timedelta(days=30)
        await db.execute(
            """INSERT INTO cases (id, child_id, status, opened_at, opened_by, found_at,
                   closed_at, outcome)
               VALUES ($1, $2, 'CLOSED', $3, $4, $5, $6, 'RETURNED')""",
            uuid.uuid4(),
            row["id"],
            opened,
            municipality,
            opened + timedelta(days=2),
            opened + timedelta(days=5),
        )


async def test_the_county_board_gets_counts_with_small_cells_suppressed(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _many_closed_cases(db, "nacka", 6)
    board = hub.token("lansstyrelsen-stockholm", "coordinator")
    data = await hub.query(board, QUERY, by=["MUNICIPALITY"], **_range())
    cells = {c["values"][0]["value"]: c for c in data["statistics"]}
    assert cells["nacka"]["count"] >= 6
    assert cells["nacka"]["suppressed"] is False
    small = [c for c in data["statistics"] if c["suppressed"]]
    assert small, "the seeded episodes leave small cells"
    assert all(c["count"] is None for c in small)


async def test_statistics_group_by_several_dimensions_and_name_no_one(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _many_closed_cases(db, "nacka", 6)
    board = hub.token("lansstyrelsen-stockholm", "coordinator")
    data = await hub.query(
        board, QUERY, by=["SEX", "AGE_BAND", "OUTCOME", "DURATION_BAND"], **_range()
    )
    dimensions = {tuple(v["dimension"] for v in c["values"]) for c in data["statistics"]}
    assert dimensions == {("SEX", "AGE_BAND", "OUTCOME", "DURATION_BAND")}
    text = str(data)
    names = await db.fetch("SELECT given_name, family_name FROM children")
    assert not any(r["family_name"] in text for r in names)


async def test_statistics_are_refused_to_those_without_the_action(hub: RunningHub) -> None:
    response = await hub.graphql(
        hub.token("stadsmissionen", "staff"), QUERY, {"by": ["SEX"], **_range()}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_reversed_range_or_repeated_dimension_is_invalid(hub: RunningHub) -> None:
    board = hub.token("lansstyrelsen-stockholm", "coordinator")
    reversed_range = {"from": "2026-05-01", "to": "2026-01-01", "by": ["SEX"]}
    response = await hub.graphql(board, QUERY, reversed_range)
    assert response.json()["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "from"}
    response = await hub.graphql(board, QUERY, {"by": ["SEX", "SEX"], **_range()})
    assert response.json()["errors"][0]["extensions"]["field"] == "groupBy"
