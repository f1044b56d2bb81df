"""The per-request database session: one connection, one transaction, commit once.

The connection is taken from the pool on first use, so requests that never touch the
database (`me`, health checks) cost nothing. Resolvers run concurrently, but an asyncpg
connection runs one statement at a time; a lock serialises them. Only `finish` commits
or rolls back, and only the request owner (the GraphQL extension) calls it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeAlias

import asyncpg

from hub.db.kept import Kept
from hub.db.pool import acquire, give_back
from hub.errors import Unavailable

# BEGIN as a statement of its own, not asyncpg's `Transaction`: one cancelled while it
# starts (a sibling field's error cancels the others) stays the connection's transaction
# in asyncpg's eyes even once rolled back, and the pool then logs an error as it resets a
# connection that is in fact clean (tests/db/test_session.py)
_BEGIN = {False: "BEGIN", True: "BEGIN READ ONLY"}
_UNAVAILABLE = (
    OSError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    TimeoutError,
)


class SessionEnded(RuntimeError):
    """Work asked of a session after it finished."""


class Session:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        readonly: bool = False,
        acquire_timeout: float = 5.0,
        kept: Kept | None = None,
    ) -> None:
        self._pool = pool
        self._kept = kept  # where a single statement's connection goes between requests
        self._readonly = readonly
        self._acquire_timeout = acquire_timeout
        self._conn: asyncpg.pool.PoolConnectionProxy[Any] | None = None
        self._lock = asyncio.Lock()
        self._before_commit: list[Callable[[Any], Awaitable[object]]] = []
        self._finished = False

    async def _acquire(self, kept: Kept | None = None) -> asyncpg.pool.PoolConnectionProxy[Any]:
        try:
            conn: asyncpg.pool.PoolConnectionProxy[Any] = await (
                acquire(self._pool, self._acquire_timeout) if kept is None else kept.take()
            )
            return conn
        except TimeoutError as exc:
            raise Unavailable(
                f"no database connection came free within {self._acquire_timeout:.0f} s "
                "(the hub is busy or the database slow); try again shortly"
            ) from exc
        except _UNAVAILABLE as exc:
            raise Unavailable("the database is not reachable right now; try again shortly") from exc

    async def _connection(self) -> asyncpg.pool.PoolConnectionProxy[Any]:
        if self._finished:
            # a resolver still settling after its operation ended (a sibling's error
            # nulled the response): a connection taken now would never be given back
            raise SessionEnded("this operation has ended; its session takes no more work")
        if self._conn is None:
            conn = await self._acquire()
            try:
                await conn.execute(_BEGIN[self._readonly])
            except BaseException:
                # cancelled (a sibling field's error cancels the others) or failed between
                # taking the connection and keeping it: give it back, or it is lost for good
                await give_back(self._pool, conn, begun=True)
                raise
            self._conn = conn
        return self._conn

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        async with self._lock:
            conn = await self._connection()
            return await conn.fetch(sql, *args)

    async def fetch_alone(self, sql: str, *args: object) -> list[asyncpg.Record]:
        """`fetch`, without a transaction when this read-only session has not begun one:
        a single SELECT sees one snapshot on its own, and BEGIN and COMMIT would be two
        more round trips (the compiled reads: one statement per root field). Once the
        session holds a connection, inside its transaction as ever."""
        if self._conn is not None or not self._readonly or self._finished:
            return await self.fetch(sql, *args)
        kept = self._kept
        conn = await self._acquire(kept)
        ran = False
        try:
            found = await conn.fetch(sql, *args)
            ran = True
            return found
        finally:
            if kept is None:
                await give_back(self._pool, conn)
            else:
                await kept.give(conn, ran=ran)

    async def fetchrow(self, sql: str, *args: object) -> asyncpg.Record | None:
        async with self._lock:
            conn = await self._connection()
            return await conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: object) -> Any:
        async with self._lock:
            conn = await self._connection()
            return await conn.fetchval(sql, *args)

    async def execute(self, sql: str, *args: object) -> str:
        async with self._lock:
            conn = await self._connection()
            return await conn.execute(sql, *args)

    async def executemany(self, sql: str, args: list[tuple[object, ...]]) -> None:
        async with self._lock:
            conn = await self._connection()
            await conn.executemany(sql, args)

    @property
    def readonly(self) -> bool:
        return self._readonly

    def read_only(self) -> None:
        """Make the transaction READ ONLY (PostgreSQL refuses any write in it), if it has
        not started yet: a query's session, known as one only once it is parsed."""
        if self._conn is None:
            self._readonly = True

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool

    async def finish(self, *, commit: bool) -> None:
        """End the transaction and give the connection back. Safe to call twice.

        Before-commit work runs even when nothing else touched the database."""
        async with self._lock:
            if self._finished:
                return
            if commit and self._before_commit and self._conn is None:
                await self._connection()
            self._finished = True
            conn, self._conn = self._conn, None
            if conn is None:
                return
            callbacks, self._before_commit = self._before_commit, []
            try:
                if commit:
                    for callback in callbacks:
                        await callback(conn)
                    await self._commit(conn, writes=bool(callbacks))
            finally:
                await give_back(self._pool, conn)  # rolled back unless committed

    async def _commit(self, conn: Any, *, writes: bool) -> None:
        """Commit. A read-only transaction whose connection died after its reads (the
        database restarted under it) has nothing to commit: its reads stand, and its
        audit record goes through the appender on a connection of its own."""
        try:
            await conn.execute("COMMIT")
        except (OSError, asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError):
            if writes or not self.readonly:
                raise

    async def flush(self) -> None:
        """Run the before-commit work now: a mutation's writes are done and what follows
        only reads (the payload), which should see it."""
        async with self._lock:
            callbacks, self._before_commit = self._before_commit, []
            if callbacks:
                conn = await self._connection()
                for callback in callbacks:
                    await callback(conn)

    def before_commit(self, callback: Callable[[Any], Awaitable[object]]) -> None:
        """Run `callback(connection)` last in the transaction, just before it commits."""
        self._before_commit.append(callback)

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.finish(commit=exc_type is None)


# What repositories accept: the request's session, or a pool/connection for work outside
# a request (migrations, seeding, the scheduler).
Db: TypeAlias = (
    "Session | asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[Any]"
)
