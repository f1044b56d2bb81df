"""The routines' service on PostgreSQL, without HTTP: a new state's tasks land with who is
responsible, only they may complete them, and the sweep marks each deadline once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from hub.cases import service as cases
from hub.db.paging import PageRequest
from hub.demo.seed import _id
from hub.errors import NotFound
from hub.routines import service as routines
from hub.routines.models import Task
from tests.services import Services

CHILD = _id("child", 1)  # Sigtuna's, placed at HVB Linden, no case


async def _report_absent(services: Services) -> None:
    async with services.acting("hvb-linden", "staff") as residence:
        await cases.report_absent(
            residence, CHILD, datetime.now(UTC) - timedelta(hours=3), "Märsta station", None
        )


async def test_reporting_absent_gives_the_residence_the_first_hours_tasks(
    services: Services,
) -> None:
    await _report_absent(services)
    async with services.acting("hvb-linden", "staff") as residence:
        mine, total = await routines.mine(residence, False, PageRequest(50, None))
    titles = {t.title for t in mine if t.child_id == CHILD}
    assert "Meddela Migrationsverket" in titles
    assert {t.responsible_organisation_id for t in mine} == {"hvb-linden"}
    assert total == len(mine)


async def test_a_task_of_another_organisation_reads_as_no_task(services: Services) -> None:
    await _report_absent(services)
    async with services.acting("hvb-linden", "staff") as residence:
        mine, _ = await routines.mine(residence, False, PageRequest(50, None))
    with pytest.raises(NotFound):
        async with services.acting("sigtuna") as municipality:
            await routines.complete(municipality, mine[0].id)
    async with services.acting("hvb-linden", "staff") as residence:
        done = await routines.complete(residence, mine[0].id)
    assert done.completed_at is not None


async def test_the_sweep_marks_each_deadline_once(
    services: Services, db: asyncpg.Connection
) -> None:
    await routines_swept(db)  # the seeded cases' deadlines, as a running hub's first sweep
    await _report_absent(services)
    search = "Sök: telefon, vänner, vanliga platser, rummet"
    await db.execute(  # three hours pass for the two-hour search: it is overdue
        """UPDATE tasks SET created_at = created_at - interval '3 hours',
                  due_soon_at = due_soon_at - interval '3 hours',
                  due_at = due_at - interval '3 hours'
            WHERE child_id = $1 AND title = $2""",
        CHILD,
        search,
    )
    due, overdue = await routines_swept(db)
    assert (due, [(t.child_id, t.title) for t in overdue]) == ([], [(CHILD, search)])
    assert await routines_swept(db) == ([], [])
    events = await db.fetch(
        "SELECT type FROM case_events WHERE child_id = $1 AND type = 'TASK_OVERDUE'", CHILD
    )
    assert len(events) == 1


async def routines_swept(db: asyncpg.Connection) -> tuple[list[Task], list[Task]]:
    async with db.transaction():
        return await routines.sweep(db)
