"""A request's connection always goes back to the pool: a resolver cancelled while it
opens its transaction gives it back, clean and without an error logged, and one still
settling after its operation ended (a sibling's error nulled the response) cannot take one
that nobody would give back."""

from __future__ import annotations

import logging

import asyncpg
import pytest

from hub.db.session import Session, SessionEnded
from tests.conftest import RunningHub, until


async def test_work_asked_of_a_finished_session_is_refused_and_takes_no_connection(
    db_url: str,
) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=0, max_size=2)
    try:
        session = Session(pool, readonly=True)
        assert await session.fetchval("SELECT 1") == 1
        await session.finish(commit=True)
        for _ in range(3):  # before the fix, each took a connection for good
            with pytest.raises(SessionEnded):
                await session.fetchval("SELECT 2")
        await session.finish(commit=True)  # twice is harmless
        assert pool.get_size() - pool.get_idle_size() == 0
        other = Session(pool)
        assert await other.fetchval("SELECT 3") == 3  # the pool still has its connections
        await other.finish(commit=False)
    finally:
        await pool.close()


# `cases` is non-null: its refused filter nulls the whole answer, and graphql-core cancels
# `transfers`, which is taking its connection and opening the transaction just then
SIBLING_FAILS = """{ transfers(pendingOnly: true) { reason }
  cases(first: 1, filter: {childId: "not-an-id"}) { totalCount } }"""


async def test_a_request_whose_sibling_field_fails_gives_its_connection_back(
    hub: RunningHub,
) -> None:
    pool = hub.runtime.pool
    token = hub.token("stockholm")
    for _ in range(20):  # before the fix most of these kept a connection, for good
        response = await hub.graphql(token, SIBLING_FAILS)
        assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    listening = 1  # the bus's LISTEN connection; the scheduler's lock may hold another
    await until(
        lambda: pool.get_size() - pool.get_idle_size() <= listening + 1,
        what="every request's connection back in the pool",
    )
    assert (await hub.query(token, "{ cases(first: 1) { totalCount } }"))["cases"]["totalCount"]


async def test_a_cancelled_transaction_goes_back_to_the_pool_without_an_error_logged(
    hub: RunningHub, caplog: pytest.LogCaptureFixture
) -> None:
    token = hub.token("stockholm")
    with caplog.at_level(logging.WARNING):
        for _ in range(10):  # before the fix, nearly every one logged an error
            response = await hub.graphql(token, SIBLING_FAILS)
            assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
        pool = hub.runtime.pool
        await until(
            lambda: pool.get_size() - pool.get_idle_size() <= 2,
            what="every request's connection back in the pool",
        )
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == []
