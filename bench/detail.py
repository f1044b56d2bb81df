"""Scenario 2: the console's case-detail operation under 50 concurrent clients.

One `hub serve` on a scratch database; 50 clients on loopback each send the detail query
for one of the open cases as soon as the previous answer arrives, for a fixed time.
Reports throughput and latency percentiles, and the hub's CPU per request.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bench.harness import replicas, scratch_database
from bench.load import CASES, DETAIL
from bench.wire import Connection
from hub.auth.dev_issuer import DevIssuer

CLIENTS = 50
SECONDS = 20.0


async def _client(conn: Connection, n: int, until: float, times: list[float]) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        status, body = await conn.post({"query": DETAIL, "variables": {"id": CASES[n % 5]}})
        if status != 200 or body.get("errors") or not body["data"]["case"]:
            raise RuntimeError(f"detail failed: {status} {body}")
        times.append(time.perf_counter() - started)
        n += 1


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def run(clients: int = CLIENTS, seconds: float = SECONDS) -> str:
    async with scratch_database() as url:
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-detail-"))
        async with replicas(url, data_dir, ((),)) as (hub,):
            token = DevIssuer(data_dir, audience="hub").issue(
                sub="bench-detail", org="polisen-stockholm", roles=["officer"], ttl=3600
            )
            conns = [Connection(f"{hub.url}/graphql", token) for _ in range(clients)]
            for conn in conns[:5]:  # warm-up
                await _client(conn, 0, time.monotonic() + 1, [])
            times: list[float] = []
            cpu_before = hub.cpu_seconds()
            started = time.monotonic()
            await asyncio.gather(
                *(_client(c, i, started + seconds, times) for i, c in enumerate(conns))
            )
            elapsed = time.monotonic() - started
            cpu = hub.cpu_seconds() - cpu_before
            for conn in conns:
                await conn.close()
    ordered = sorted(times)
    median = statistics.median(ordered) * 1000
    return "\n".join(
        [
            f"## Scenario 2: case detail, {clients} concurrent clients, {seconds:.0f} s, one hub",
            "",
            "| requests | per second | p50 (ms) | p95 (ms) | p99 (ms) | hub CPU per request (ms) |",
            "|---|---|---|---|---|---|",
            f"| {len(times)} | {len(times) / elapsed:.0f} | {median:.1f} "
            f"| {_pct(ordered, 0.95):.1f} | {_pct(ordered, 0.99):.1f} "
            f"| {cpu / len(times) * 1000:.2f} |",
            "",
            "The detail operation (`bench/load.py` DETAIL): case, child with description, "
            "sightings, tasks and withheld categories, as the police see it.",
        ]
    )
