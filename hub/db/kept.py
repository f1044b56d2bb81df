"""Connections that single-statement reads keep between requests.

A compiled read runs one statement on a connection of its own (`Session.fetch_alone`).
Taking it from asyncpg's pool and giving it back costs more than the statement's own
work in Python: the pool makes a proxy at each acquire, and a task (`asyncio.shield`)
and a timeout at each release (~6 % of a case detail's CPU in a profile of bench
scenario 2). So a read gives its connection to `Kept` instead, and the next read takes
it from there.

Kept connections are not in the pool, so only a few are kept (a quarter of the pool's
size, or fewer when told; none for a pool of fewer than four), and one left unused
for a second goes back to it. A connection whose statement failed or was cancelled,
that is in a transaction, or that comes back when enough are kept goes straight back to
the pool, which resets, replaces or closes it as it does any other. The audit appender
keeps one of its own the same way (`hub.audit.appender`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import asyncpg

from hub.db.pool import acquire, give_back

IDLE = 1.0  # seconds a kept connection may wait unused before it goes back to the pool


class Kept:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        acquire_timeout: float,
        most: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout
        # a quarter of the pool, and no more than `most`: none from a pool of fewer than four
        quarter = pool.get_max_size() // 4
        self._size = quarter if most is None else min(quarter, most)
        self._clock = clock
        self._idle: deque[tuple[Any, float]] = deque()  # (connection, kept since), newest last
        self._sweep: asyncio.TimerHandle | None = None
        self._returning: set[asyncio.Task[None]] = set()
        self._closed = False
        self.reused = 0  # connections taken from here rather than the pool (tests, telemetry)

    @property
    def idle(self) -> int:
        return len(self._idle)

    async def take(self) -> Any:
        """A connection for one statement: the newest kept one, or one from the pool."""
        while self._idle:
            conn, _ = self._idle.pop()
            if _usable(conn):
                self.reused += 1
                return conn
            await self._back(conn)  # the server closed it meanwhile
        return await acquire(self._pool, self._acquire_timeout)

    async def give(self, conn: Any, *, ran: bool) -> None:
        """Keep `conn` for the next read if its statement `ran` and it is fit for one;
        else give it back to the pool."""
        if ran and not self._closed and len(self._idle) < self._size and _usable(conn):
            self._idle.append((conn, self._clock()))
            if self._sweep is None:
                self._sweep = asyncio.get_running_loop().call_later(IDLE, self._swept)
            return
        await self._back(conn)

    async def _back(self, conn: Any) -> None:
        with contextlib.suppress(asyncpg.InterfaceError):  # asyncpg gave it back itself
            await give_back(self._pool, conn)

    def _swept(self) -> None:
        """Give back what waited a second or more unused (the oldest are first)."""
        self._sweep = None
        before = self._clock() - IDLE
        while self._idle and self._idle[0][1] <= before:
            self._return(self._idle.popleft()[0])
        if self._idle:
            self._sweep = asyncio.get_running_loop().call_later(IDLE, self._swept)

    def _return(self, conn: Any) -> None:
        task = asyncio.create_task(self._back(conn))
        self._returning.add(task)
        task.add_done_callback(self._returning.discard)

    async def close(self) -> None:
        """Give every kept connection back (before the pool closes, which waits for them)."""
        self._closed = True
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        while self._idle:
            self._return(self._idle.popleft()[0])
        if self._returning:
            await asyncio.gather(*self._returning, return_exceptions=True)


def _usable(conn: Any) -> bool:
    """Whether `conn` is open and in no transaction; not when its server closed it, which
    makes asyncpg give it back to the pool itself."""
    try:
        return not conn.is_closed() and not conn.is_in_transaction()
    except asyncpg.InterfaceError:
        return False
