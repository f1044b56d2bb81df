"""The deadline scheduler: marks tasks due and overdue and emits their events, and lets
children who turned 18 leave the plan.

Every replica runs the loop; an advisory lock held on one connection makes exactly one of
them the leader at a time. If the leader dies its connection closes, the lock is freed and
another replica takes over at its next tick. The sweep is a query on the tasks' state, so a
hub that was down catches up on every deadline that passed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from hub.children import handover
from hub.routines import service

log = logging.getLogger(__name__)

_LEADER_LOCK = 0x6875625F736368  # "hub_sch"


HOUSEKEEPING_EVERY = 6 * 3600.0
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class DeadlineScheduler:
    """Also runs `housekeeping` (audit partitions, retention) on the leader, at its first
    tick and then every few hours, and `every_tick` (the audit chain's verification) on
    every sweep."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        interval: float,
        housekeeping: Callable[[], Awaitable[None]] | None = None,
        every_tick: Callable[[], Awaitable[object]] | None = None,
        notify: Callable[[datetime], Awaitable[object]] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._notify = notify
        self.clock = clock  # escalation steps and birthdays (in Stockholm's calendar)
        self._pool = pool
        self._interval = interval
        self._housekeeping = housekeeping
        self._every_tick = every_tick
        self._housekeeping_due = 0.0
        self._leader: asyncpg.pool.PoolConnectionProxy[Any] | None = None
        self.sweeps = 0

    @property
    def is_leader(self) -> bool:
        return self._leader is not None

    async def _lead(self) -> bool:
        if self._leader is not None:
            try:
                await self._leader.fetchval("SELECT 1")  # the lock lives as long as this
                return True
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                await self.resign()
        conn = await self._pool.acquire()
        if await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK):
            self._leader = conn
            return True
        await self._pool.release(conn)
        return False

    async def resign(self) -> None:
        """Give up leadership and the connection that holds it (before closing the pool)."""
        conn, self._leader = self._leader, None
        if conn is None:
            return
        try:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LEADER_LOCK)
        except Exception:
            with contextlib.suppress(Exception):  # a dead connection may be gone already
                conn.terminate()  # closing the session is what surely ends its lock
        with contextlib.suppress(Exception):
            await self._pool.release(conn)

    async def tick(self) -> bool:
        """One sweep if this replica leads; whether it did."""
        if not await self._lead():
            return False
        now = self.clock()
        async with self._pool.acquire() as conn, conn.transaction():
            due, overdue = await service.sweep(conn)
            climbed = await service.escalate(conn, now)
            adults = await handover.leave_plan_at_18(conn, now.astimezone(STOCKHOLM).date())
        if due or overdue:
            log.info("deadlines: %d due, %d overdue", len(due), len(overdue))
        if climbed:
            log.info("%d tasks climbed their escalation ladder", len(climbed))
        if adults:
            log.info("%d children turned 18 and left the plan", len(adults))
        if self._housekeeping is not None and time.monotonic() >= self._housekeeping_due:
            self._housekeeping_due = time.monotonic() + HOUSEKEEPING_EVERY
            await self._housekeeping()
        if self._notify is not None:
            await self._notify(now)  # the notifier: inbox, mail, webhooks from the sweep on
        if self._every_tick is not None:
            await self._every_tick()
        self.sweeps += 1
        return True

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self.tick()
                except (
                    OSError,
                    asyncpg.PostgresError,
                    asyncpg.InterfaceError,
                    asyncpg.InternalClientError,  # a connection left mid-operation by it
                ):
                    # the database went away: give up leadership, try again next tick
                    log.warning("deadline sweep failed; retrying", exc_info=True)
                    await self.resign()
                except Exception:
                    # whatever else went wrong in one sweep must not end the sweeps
                    log.exception("deadline sweep failed unexpectedly; retrying")
                    await self.resign()
                await asyncio.sleep(self._interval)
        finally:
            await self.resign()
