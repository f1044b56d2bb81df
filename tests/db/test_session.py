"""A request's session: reads on the read-only pool, writes in one transaction."""

from __future__ import annotations

import asyncpg
import pytest

from hub.db.pool import create_pool
from hub.db.session import Session

WRITE = "INSERT INTO organisations (id, kind, name) VALUES ('x-test', 'NGO', 'Test')"


async def test_a_read_only_session_reads_and_postgresql_refuses_its_writes(db_url: str) -> None:
    pool = await create_pool(db_url)
    read_pool = await create_pool(db_url, read_only=True)
    try:
        session = Session(pool, read_pool=read_pool, readonly=True)
        assert await session.fetchval("SELECT count(*) FROM organisations") > 0
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await session.execute(WRITE)
        await session.finish(commit=True)
        assert read_pool.get_idle_size() == read_pool.get_size()  # the connection is back
    finally:
        await read_pool.close()
        await pool.close()


async def test_a_session_made_read_only_before_it_starts_reads_on_the_read_pool(
    db_url: str,
) -> None:
    pool = await create_pool(db_url)
    read_pool = await create_pool(db_url, read_only=True)
    try:
        session = Session(pool, read_pool=read_pool)
        session.read_only()  # a query, known once parsed
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await session.execute(WRITE)
        await session.finish(commit=True)
        writing = Session(pool, read_pool=read_pool)  # a mutation's session
        await writing.execute(WRITE)
        await writing.finish(commit=True)
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM organisations WHERE id = 'x-test'")
    finally:
        await read_pool.close()
        await pool.close()
