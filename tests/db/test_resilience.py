"""PostgreSQL stops and starts under load: requests fail fast with UNAVAILABLE meanwhile,
then the same hub recovers, live updates included, without a restart."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres, ensure_database, start_embedded
from hub.demo.seed import _id, seed
from tests.conftest import RunningHub, run_hub, until
from tests.events.wsclient import subscribe

BOARD = "{ cases(first: 20) { totalCount edges { node { id status } } } }"
FOUND = """mutation($input: ReportFoundInput!) { reportFound(input: $input) { case { id } } }"""


@pytest.fixture
async def own_server() -> AsyncIterator[EmbeddedPostgres]:
    """A server of this test's own, since the test stops it."""
    data_dir = Path(tempfile.mkdtemp(prefix="hub-resilience-"))
    os.chmod(data_dir, 0o755)  # the embedded server runs as its own user when we are root
    server = await asyncio.to_thread(start_embedded, data_dir)
    await ensure_database(server.url("postgres"))
    conn = await asyncpg.connect(server.url())
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await migrations.migrate(conn)
    async with conn.transaction():
        await seed(conn)
    await conn.close()
    yield server
    await asyncio.to_thread(start_embedded(data_dir, delete_on_stop=True).stop)


async def _load(hub: RunningHub, outcomes: Counter[str], slowest: list[float]) -> None:
    token = hub.token("polisen-stockholm", "officer")
    while True:
        started = time.perf_counter()
        response = await hub.graphql(token, BOARD)
        slowest[0] = max(slowest[0], time.perf_counter() - started)
        body = response.json()
        if response.status_code == 200 and body.get("data"):
            outcomes["ok"] += 1
        else:
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
            outcomes[",".join(sorted(str(c) for c in codes)) or str(response.status_code)] += 1
        await asyncio.sleep(0.02)


async def test_the_hub_rides_out_a_database_restart(
    own_server: EmbeddedPostgres, data_dir: Path
) -> None:
    # the scheduler sweeps once, before the subscription: its burst of task events (the
    # seeded deadlines) is not still being delivered when the database goes away
    async with run_hub(own_server.url(), data_dir, scheduler_interval=3600) as hub:
        await hub.swept()
        police = hub.token("polisen-stockholm", "officer")
        async with subscribe(hub, police, case_id=str(_id("case", 17))) as sub:
            before: Counter[str] = Counter()
            slowest = [0.0]
            workers = [asyncio.create_task(_load(hub, before, slowest)) for _ in range(4)]
            await until(lambda: before["ok"] >= 5, what="reads served before the outage")

            await asyncio.to_thread(own_server.stop)
            during: Counter[str] = Counter()
            slowest[0] = 0.0
            for w in workers:
                w.cancel()
            workers = [asyncio.create_task(_load(hub, during, slowest)) for _ in range(4)]
            await until(lambda: sum(during.values()) >= 20, what="answers during the outage")
            assert set(during) == {"UNAVAILABLE"}, during
            assert slowest[0] < 6.0, f"a request took {slowest[0]:.1f} s during the outage"
            ready = await hub.http.get("/readyz")
            assert ready.status_code == 503

            restarted = await asyncio.to_thread(start_embedded, own_server.data_dir)
            assert restarted.url() == own_server.url()
            after: Counter[str] = Counter()
            for w in workers:
                w.cancel()
            workers = [asyncio.create_task(_load(hub, after, slowest)) for _ in range(4)]
            deadline = time.monotonic() + 20
            while after["ok"] < 20 and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            for w in workers:
                w.cancel()
            assert after["ok"] >= 20, after
            assert set(after) <= {"ok", "UNAVAILABLE"}, after
            assert (await hub.http.get("/readyz")).status_code == 200

            await hub.query(
                police,
                FOUND,
                input={
                    "caseId": str(_id("case", 17)),
                    "foundAt": datetime.now(UTC).isoformat(),
                    "place": "Slussen",
                },
            )
            event = await sub.next(within=10.0)
            assert event["type"] == "STATUS_CHANGED"


async def test_a_request_waits_for_a_busy_pool_no_longer_than_its_timeout(
    db_url: str, data_dir: Path
) -> None:
    """With every pooled connection taken, a read is told UNAVAILABLE once the pool's
    timeout has passed, and is answered as soon as a connection is free again."""
    async with run_hub(db_url, data_dir, pool_min_size=2, pool_max_size=2, pool_timeout=1) as hub:
        token = hub.token("stockholm")
        pool = hub.runtime.pool
        held = []  # every connection the hub's own background work leaves free
        with contextlib.suppress(TimeoutError):
            while True:
                held.append(await pool.acquire(timeout=0.5))
        try:
            refused = (await hub.graphql(token, BOARD)).json()
        finally:
            for conn in held:
                await pool.release(conn)
        assert refused["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        assert (await hub.query(token, BOARD))["cases"]["totalCount"] > 0
