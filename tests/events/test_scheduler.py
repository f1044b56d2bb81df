"""The deadline scheduler: due and overdue marked once, one leader, catch-up after downtime."""

from __future__ import annotations

import asyncpg

from hub.db.pool import create_pool
from hub.events.scheduler import DeadlineScheduler


async def _events(db: asyncpg.Connection, kind: str) -> int:
    return int(await db.fetchval("SELECT count(*) FROM case_events WHERE type = $1", kind))


async def test_a_sweep_marks_overdue_tasks_once_and_emits_their_events(
    db_url: str, db: asyncpg.Connection
) -> None:
    expected = await db.fetchval(
        "SELECT count(*) FROM tasks WHERE status = 'OPEN' AND due_at <= now()"
    )
    assert expected > 0, "the demo seed has overdue tasks"
    pool = await create_pool(db_url, min_size=1, max_size=3)
    try:
        scheduler = DeadlineScheduler(pool, interval=60)
        assert await scheduler.tick()
        assert await _events(db, "TASK_OVERDUE") == expected
        assert await scheduler.tick()
        assert await _events(db, "TASK_OVERDUE") == expected, "never twice for one task"
        await scheduler.resign()
    finally:
        await pool.close()


async def test_a_task_due_soon_is_marked_due_before_it_is_overdue(
    db_url: str, db: asyncpg.Connection
) -> None:
    task = await db.fetchval("""
        UPDATE tasks SET due_soon_at = now() - interval '1 minute',
               due_at = now() + interval '10 minutes', due_notified_at = NULL
         WHERE id = (SELECT id FROM tasks WHERE status = 'OPEN' LIMIT 1) RETURNING id""")
    pool = await create_pool(db_url, min_size=1, max_size=3)
    scheduler = DeadlineScheduler(pool, interval=60)
    try:
        await scheduler.tick()
    finally:
        await scheduler.resign()
        await pool.close()
    kinds = await db.fetch(
        "SELECT type FROM case_events WHERE payload->>'taskId' = $1 ORDER BY id", str(task)
    )
    assert [k["type"] for k in kinds][-1:] == ["TASK_DUE"]


async def test_only_one_replica_leads_and_another_takes_over_when_it_stops(db_url: str) -> None:
    pool_a = await create_pool(db_url, min_size=1, max_size=3)
    pool_b = await create_pool(db_url, min_size=1, max_size=3)
    try:
        a = DeadlineScheduler(pool_a, interval=60)
        b = DeadlineScheduler(pool_b, interval=60)
        assert await a.tick()
        assert not await b.tick()
        assert (a.is_leader, b.is_leader) == (True, False)
        await a.resign()  # the leader stops (its process ends, or it shuts down)
        assert await b.tick()
        await b.resign()
    finally:
        await pool_a.close()
        await pool_b.close()


async def test_deadlines_that_passed_while_the_hub_was_down_are_caught_up(
    db_url: str, db: asyncpg.Connection
) -> None:
    await db.execute(
        "UPDATE tasks SET due_at = now() - interval '3 days', "
        "due_soon_at = now() - interval '4 days', overdue_notified_at = NULL "
        "WHERE status = 'OPEN'"
    )
    open_tasks = await db.fetchval("SELECT count(*) FROM tasks WHERE status = 'OPEN'")
    pool = await create_pool(db_url, min_size=1, max_size=3)
    scheduler = DeadlineScheduler(pool, interval=60)
    try:
        await scheduler.tick()
    finally:
        await scheduler.resign()
        await pool.close()
    assert (
        await db.fetchval(
            "SELECT count(*) FROM tasks WHERE status = 'OPEN' AND overdue_notified_at IS NOT NULL"
        )
        == open_tasks
    )


async def test_a_leader_whose_connection_dies_is_replaced(
    db_url: str, db: asyncpg.Connection
) -> None:
    pool_a = await create_pool(db_url, min_size=1, max_size=3)
    pool_b = await create_pool(db_url, min_size=1, max_size=3)
    a = DeadlineScheduler(pool_a, interval=60)
    b = DeadlineScheduler(pool_b, interval=60)
    try:
        assert await a.tick()
        # with a timeout, pg_terminate_backend returns once the backend has exited (and
        # let go of its lock), not when the signal is sent
        killed = await db.fetchval(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_locks "
            "WHERE locktype = 'advisory' AND granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        assert killed
        assert await b.tick()
        assert not await a.tick(), "the old leader notices it lost the lock"
    finally:
        await a.resign()
        await b.resign()
        await pool_a.close()
        await pool_b.close()
