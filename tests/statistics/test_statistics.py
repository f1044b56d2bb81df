"""Statistics for the county board: aggregates only, and no differencing of answers
recovers a count that was too small to publish."""

from __future__ import annotations

import calendar
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from hub.statistics.perturbation import SUPPRESS_BELOW, noise
from tests.conftest import RunningHub

QUERY = """query($from: Date!, $to: Date!, $by: [StatisticsDimension!]!) {
    statistics(from: $from, to: $to, groupBy: $by) {
        period values { dimension value } count suppressed } }"""
BOARD = ("lansstyrelsen-stockholm", "coordinator")


def _months(first: date, last: date) -> dict[str, str]:
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    return {"from": first.replace(day=1).isoformat(), "to": end.isoformat()}


def _last_year() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return _months(today - timedelta(days=365), today)


async def _episodes(
    db: asyncpg.Connection,
    municipality: str,
    sex: str,
    n: int,
    month: date,
    police_after: timedelta | None = None,
    task_late: bool | None = None,
) -> None:
    """`n` closed episodes opened mid-`month`, of new children of `sex` in `municipality`;
    reported to the police `police_after` the opening, and with one done task (done late
    or on time) when `task_late` says so."""
    opened = datetime(month.year, month.month, 15, 12, tzinfo=UTC)
    for _ in range(n):
        child = await db.fetchval(
            """INSERT INTO children (given_name, family_name, birth_date, sex, nationality,
                   responsible_municipality_id)
               VALUES ('Test', 'Barn', '2010-01-01', $1, 'SO', $2) RETURNING id""",
            sex,
            municipality,
        )
        await db.execute(
            """INSERT INTO cases (id, child_id, status, opened_at, opened_by, found_at,
                   closed_at, outcome)
               VALUES ($1, $2, 'CLOSED', $3, $4, $5, $6, 'RETURNED')""",
            uuid.uuid4(),
            child,
            opened,
            municipality,
            opened + timedelta(days=2),
            opened + timedelta(days=5),
        )
        if police_after is not None:
            await db.execute(
                "UPDATE cases SET reported_missing_at = opened_at + $2 WHERE child_id = $1",
                child,
                police_after,
            )
        if task_late is not None:
            await db.execute(
                """INSERT INTO tasks (child_id, case_id, routine, title,
                       responsible_organisation_id, due_soon_at, due_at, status, completed_at)
                   SELECT child_id, id, 'ABSENT', 'Test', $2, opened_at,
                          opened_at + interval '1 hour', 'DONE',
                          opened_at + ($3 || ' minutes')::interval
                     FROM cases WHERE child_id = $1""",
                child,
                municipality,
                "90" if task_late else "30",
            )


def _count(cells: list[dict[str, Any]], period: str, **values: str) -> int | None:
    for cell in cells:
        if (
            cell["period"] == period
            and {v["dimension"]: v["value"] for v in cell["values"]} == values
        ):
            return int(cell["count"])
    return None


async def test_the_county_board_gets_perturbed_monthly_counts_and_no_small_cells(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _episodes(db, "nacka", "MALE", 40, date(2024, 3, 1))
    await _episodes(db, "sigtuna", "FEMALE", 1, date(2024, 3, 1))
    board = hub.token(*BOARD)
    cells = (
        await hub.query(
            board, QUERY, by=["MUNICIPALITY"], **_months(date(2024, 1, 1), date(2024, 6, 1))
        )
    )["statistics"]
    nacka = _count(cells, "2024-03", MUNICIPALITY="nacka")
    assert nacka is not None
    assert abs(nacka - 40) <= 15  # perturbed, still useful
    assert _count(cells, "2024-03", MUNICIPALITY="sigtuna") in (None, *range(SUPPRESS_BELOW, 20))
    assert all(c["count"] >= SUPPRESS_BELOW and c["suppressed"] is False for c in cells)
    assert {c["period"] for c in cells} == {"2024-03"}


async def test_overlapping_periods_hold_the_same_month_cells_so_nothing_is_subtracted(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    for month, n in ((1, 30), (2, 25), (3, 32)):
        await _episodes(db, "nacka", "MALE", n, date(2024, month, 1))
    await _episodes(db, "nacka", "FEMALE", 2, date(2024, 3, 1))  # the one to protect
    board = hub.token(*BOARD)

    async def asked(last: int, by: list[str]) -> list[dict[str, Any]]:
        period = _months(date(2024, 1, 1), date(2024, last, 1))
        return list((await hub.query(board, QUERY, by=by, **period))["statistics"])

    to_march, to_february = await asked(3, ["MUNICIPALITY"]), await asked(2, ["MUNICIPALITY"])
    assert [c for c in to_march if c["period"] != "2024-03"] == to_february
    assert to_march == await asked(3, ["MUNICIPALITY"])  # asking again: the same answer


async def test_differencing_across_dimensions_does_not_recover_small_counts(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    """In each of 24 months one municipality has 20 to 43 boys and 1 to 4 girls. The
    attacker subtracts the published boys from the published total; with exact counts
    that gives the girls every time."""
    truth: dict[str, int] = {}
    for n in range(24):
        first = date(2022 + n // 12, n % 12 + 1, 1)
        await _episodes(db, "osteraker", "MALE", 20 + n, first)
        await _episodes(db, "osteraker", "FEMALE", 1 + n % 4, first)
        truth[first.strftime("%Y-%m")] = 1 + n % 4
    board = hub.token(*BOARD)
    period = _months(date(2022, 1, 1), date(2023, 12, 1))
    totals = (await hub.query(board, QUERY, by=["MUNICIPALITY"], **period))["statistics"]
    split = (await hub.query(board, QUERY, by=["MUNICIPALITY", "SEX"], **period))["statistics"]
    recovered = 0
    for period_name, girls in truth.items():
        total = _count(totals, period_name, MUNICIPALITY="osteraker")
        boys = _count(split, period_name, MUNICIPALITY="osteraker", SEX="MALE")
        assert total is not None
        assert boys is not None
        recovered += total - boys == girls
    assert recovered <= len(truth) // 2, f"{recovered} of {len(truth)} small counts recovered"


def test_the_noise_is_two_sided_and_centred() -> None:
    draws = [noise((i + 0.5) / 10_000) for i in range(10_000)]
    assert abs(sum(draws)) / len(draws) < 0.01
    assert min(draws) < -5 < 5 < max(draws)
    assert 0.2 < draws.count(0) / len(draws) < 0.3


async def test_every_statistics_question_is_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    board = hub.token(*BOARD, sub="analyst@lansstyrelsen")
    await hub.query(board, QUERY, by=["SEX"], **_last_year())
    rows = await db.fetch(
        "SELECT details FROM audit_log WHERE action = 'statistics' AND sub = $1",
        "analyst@lansstyrelsen",
    )
    assert len(rows) == 1
    assert rows[0]["details"]["groupBy"] == ["SEX"]


async def test_statistics_are_refused_to_those_without_the_action(hub: RunningHub) -> None:
    response = await hub.graphql(
        hub.token("stadsmissionen", "staff"), QUERY, {"by": ["SEX"], **_last_year()}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_part_months_three_dimensions_or_a_reversed_range_are_invalid(
    hub: RunningHub,
) -> None:
    board = hub.token(*BOARD)
    for variables, field in (
        ({"from": "2026-01-15", "to": "2026-03-31", "by": ["SEX"]}, "from"),
        ({"from": "2026-01-01", "to": "2026-03-30", "by": ["SEX"]}, "to"),
        ({"from": "2026-05-01", "to": "2026-01-31", "by": ["SEX"]}, "from"),
        ({**_last_year(), "by": ["SEX", "SEX"]}, "groupBy"),
        ({**_last_year(), "by": ["SEX", "AGE_BAND", "OUTCOME"]}, "groupBy"),
    ):
        response = await hub.graphql(board, QUERY, variables)
        error = response.json()["errors"][0]["extensions"]
        assert error == {"code": "INVALID_INPUT", "field": field}, variables


async def test_the_first_hour_and_the_deadlines_are_counted_and_drawn(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    march = date(2023, 3, 1)
    await _episodes(db, "nacka", "MALE", 30, march, timedelta(minutes=40), task_late=False)
    await _episodes(db, "nacka", "MALE", 30, march, timedelta(hours=30), task_late=True)
    board = hub.token(*BOARD)
    period = _months(march, march)
    delay = await hub.query(board, QUERY, by=["POLICE_REPORT_DELAY_BAND"], **period)
    assert (
        abs((_count(delay["statistics"], "2023-03", POLICE_REPORT_DELAY_BAND="<=1h") or 0) - 30)
        <= 15
    )
    assert _count(delay["statistics"], "2023-03", POLICE_REPORT_DELAY_BAND=">24h") is not None
    on_time = (await hub.query(board, QUERY, by=["TASKS_ON_TIME"], **period))["statistics"]
    assert _count(on_time, "2023-03", TASKS_ON_TIME="ALL_ON_TIME") is not None
    assert _count(on_time, "2023-03", TASKS_ON_TIME="SOME_LATE") is not None

    chart = await hub.query(
        board,
        """query($from: Date!, $to: Date!) { statisticsChart(from: $from, to: $to,
             dimension: POLICE_REPORT_DELAY_BAND, title: "Tid till polisanmälan",
             labels: [{value: "<=1h", label: "Inom en timme"}]) }""",
        **period,
    )
    svg = chart["statisticsChart"]
    assert svg.startswith("<svg")
    assert "Inom en timme" in svg
    assert "Tid till polisanmälan" in svg
    assert "<script" not in svg
    asked = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'statistics' AND details->>'from' = $1",
        period["from"],
    )
    assert asked == 3  # two questions and the chart, each recorded
