"""Single statements keep their connection for the next request (`hub.db.kept`), yet the
pool never loses one: a failed, cancelled or transactional connection goes back at once,
an unused one within a second, every one at close, and a quarter of the pool at most is
kept. The audit appender keeps one of its own for its batches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from hub.audit.appender import AuditAppender
from hub.audit.models import AuditKind
from hub.audit.recorder import AuditPolicy, Recorder
from hub.db.kept import Kept
from hub.db.pool import create_pool
from hub.db.session import Session
from tests.conftest import RunningHub, until


@asynccontextmanager
async def _pool(db_url: str, size: int = 8) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(db_url, min_size=0, max_size=size)
    try:
        yield pool
    finally:
        await asyncio.wait_for(pool.close(), 10)  # hangs while a connection is not back


@asynccontextmanager
async def _kept(db_url: str, size: int = 8) -> AsyncIterator[tuple[asyncpg.Pool, Kept]]:
    async with _pool(db_url, size) as pool:
        kept = Kept(pool, acquire_timeout=5)
        try:
            yield pool, kept
        finally:
            await kept.close()


def _lent(pool: asyncpg.Pool) -> int:
    return pool.get_size() - pool.get_idle_size()


async def _read(kept: Kept, pool: asyncpg.Pool, sql: str = "SELECT 1") -> object:
    session = Session(pool, readonly=True, kept=kept)
    try:
        return (await session.fetch_alone(sql))[0][0]
    finally:
        await session.finish(commit=True)


async def test_a_single_statements_connection_is_kept_for_the_next_one(db_url: str) -> None:
    async with _kept(db_url) as (pool, kept):
        pids = [await _read(kept, pool, "SELECT pg_backend_pid()") for _ in range(3)]
        assert len(set(pids)) == 1
        assert kept.reused == 2
        assert (kept.idle, _lent(pool)) == (1, 1)
        await kept.close()
        assert (kept.idle, _lent(pool)) == (0, 0)


async def test_a_kept_connection_left_unused_goes_back_to_the_pool(db_url: str) -> None:
    async with _kept(db_url) as (pool, kept):
        await _read(kept, pool)
        assert _lent(pool) == 1
        await until(lambda: _lent(pool) == 0, what="the unused connection back in the pool")
        assert kept.idle == 0


async def test_a_failed_or_cancelled_statement_gives_its_connection_to_the_pool(
    db_url: str,
) -> None:
    async with _kept(db_url) as (pool, kept):
        with pytest.raises(asyncpg.DivisionByZeroError):
            await _read(kept, pool, "SELECT 1 / 0")
        assert (kept.idle, _lent(pool)) == (0, 0)

        slow = asyncio.create_task(_read(kept, pool, "SELECT pg_sleep(30)"))
        await until(lambda: _lent(pool) == 1, what="the slow statement under way")
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        await until(lambda: _lent(pool) == 0, what="the cancelled statement's connection back")
        assert kept.idle == 0


async def test_a_connection_in_a_transaction_or_closed_is_never_kept_nor_handed_out(
    db_url: str,
) -> None:
    async with _kept(db_url) as (pool, kept):
        conn = await kept.take()
        await conn.execute("BEGIN")
        await kept.give(conn, ran=True)
        assert (kept.idle, _lent(pool)) == (0, 0)  # rolled back, and in the pool

        conn = await kept.take()
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await kept.give(conn, ran=True)
        assert kept.idle == 1
        admin = await asyncpg.connect(db_url)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await until(lambda: _lent(pool) == 0, what="the closed connection out of the pool")
        assert await _read(kept, pool, "SELECT pg_backend_pid()") != pid  # a live one
        assert kept.reused == 0
        await kept.close()
        assert _lent(pool) == 0


async def test_no_more_than_a_quarter_of_the_pool_is_kept(db_url: str) -> None:
    async with _kept(db_url, size=8) as (pool, kept):
        taken = [await kept.take() for _ in range(4)]
        for conn in taken:
            await kept.give(conn, ran=True)
        assert (kept.idle, _lent(pool)) == (2, 2)
    async with _kept(db_url, size=3) as (small, kept):
        await _read(kept, small)
        assert (kept.idle, _lent(small)) == (0, 0)  # a pool of three keeps none


async def test_the_hub_reads_cases_on_kept_connections_and_shuts_down_cleanly(
    hub: RunningHub,
) -> None:
    kept = hub.runtime.kept
    assert kept is not None
    token = hub.token("stockholm")
    before = kept.reused
    for _ in range(3):
        found = await hub.query(token, "{ cases(first: 2) { edges { node { id } } } }")
        assert found["cases"]["edges"]
    assert kept.reused > before


async def test_the_audit_appender_writes_on_one_kept_connection_and_gives_it_back(
    db_url: str, db: asyncpg.Connection
) -> None:
    pool = await create_pool(db_url, max_size=8)
    try:
        appender = AuditAppender(pool)
        written = []
        for n in range(3):  # one after another: a batch each
            audit = Recorder(None, request_id=f"kept-{n}", policy=AuditPolicy())
            audit.record(AuditKind.DENIED, "probe")
            await appender.append(audit)
            written.append(audit.request_id)
            assert _lent(pool) == 1  # the one it keeps, the same each time
        assert appender.batches == 3
        await appender.close()
        assert _lent(pool) == 0
        found = await db.fetch(
            "SELECT request_id FROM audit_log WHERE request_id LIKE 'kept-%' ORDER BY seq"
        )
        assert [r["request_id"] for r in found] == written
    finally:
        await asyncio.wait_for(pool.close(), 10)


async def test_the_audit_appender_keeps_no_connection_from_a_small_pool(db_url: str) -> None:
    pool = await create_pool(db_url, max_size=3)
    try:
        appender = AuditAppender(pool)
        audit = Recorder(None, request_id="small", policy=AuditPolicy())
        audit.record(AuditKind.DENIED, "probe")
        await appender.append(audit)
        assert _lent(pool) == 0
        await appender.close()
    finally:
        await asyncio.wait_for(pool.close(), 10)
