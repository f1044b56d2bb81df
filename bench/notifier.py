"""Scenario 8: the notifier fanning 1,000 events out to 20 webhook endpoints.

Twenty receivers on loopback (plain asyncio HTTP servers, answering 200 at once), ten
registered by Nacka's admin and ten by the police's, each for SIGHTING_ADDED; 1,000 such
events are written to the outbox at once for a case both may see. The notifier then runs
as the scheduler would (a pass over the outbox, then the sender until nothing is due),
every delivery read as its organisation may see it, audited, signed and posted. Reported:
throughput, and the lag from the events' writing to each receipt.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.harness import hub_server, scratch_database
from hub.demo.seed import _id
from hub.events import notifier, webhooks

EVENTS = 1000
ENDPOINTS = 20
_WRITE = """
INSERT INTO case_events (type, child_id, case_id, actor_organisation_id, payload)
SELECT 'SIGHTING_ADDED', $1, $2, 'polisen-stockholm', '{}'::jsonb FROM generate_series(1, $3)
"""
REGISTER = """mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
    webhook { id } } }"""


class Endpoint:
    def __init__(self) -> None:
        self.received: list[float] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:  # keep-alive: one connection carries many deliveries
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            length = next(
                int(line.split(":", 1)[1])
                for line in head.split("\r\n")
                if line.lower().startswith("content-length:")
            )
            await reader.readexactly(length)
            self.received.append(time.perf_counter())
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
        writer.close()


async def run() -> str:
    endpoints = [Endpoint() for _ in range(ENDPOINTS)]
    servers = [await asyncio.start_server(e.handle, "127.0.0.1", 0) for e in endpoints]
    for endpoint, server in zip(endpoints, servers, strict=True):
        endpoint.port = server.sockets[0].getsockname()[1]
    try:
        async with scratch_database() as url:
            data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-data-"))
            async with hub_server(url, data_dir) as (hub_url, rt), httpx.AsyncClient() as http:
                assert rt.dev_issuer is not None
                for n, endpoint in enumerate(endpoints):
                    org = "nacka" if n % 2 else "polisen-stockholm"
                    token = rt.dev_issuer.issue(sub=f"admin-{n}", org=org, roles=["admin"])
                    answer = await http.post(
                        f"{hub_url}/graphql",
                        json={
                            "query": REGISTER,
                            "variables": {
                                "input": {
                                    "url": f"http://127.0.0.1:{endpoint.port}/hook",
                                    "eventTypes": ["SIGHTING_ADDED"],
                                }
                            },
                        },
                        headers={"authorization": f"Bearer {token}"},
                    )
                    assert "errors" not in answer.json(), answer.json()
                parts = webhooks.Parts(rt.pool, rt.policy, rt.registry, rt.routines, rt.settings)
                async with rt.pool.acquire() as conn:
                    written = time.perf_counter()
                    await conn.execute(_WRITE, _id("child", 17), _id("case", 17), EVENTS)
                cpu = time.process_time()
                total = EVENTS * ENDPOINTS
                deadline = time.monotonic() + 600
                while sum(len(e.received) for e in endpoints) < total:
                    assert time.monotonic() < deadline, "the notifier did not finish in 10 min"
                    await notifier.step(rt.pool, "http://console")
                    await webhooks.send_due(parts, datetime.now(UTC), http, budget=60.0)
                cpu = time.process_time() - cpu
    finally:
        for server in servers:
            server.close()
    lags = sorted(t - written for e in endpoints for t in e.received)
    took = lags[-1]
    return "\n".join(
        [
            f"## Scenario 8: the notifier, {EVENTS:,} events to {ENDPOINTS} webhook endpoints",
            "",
            f"{total:,} deliveries (each read under the receiver's policy, audited, signed, "
            f"posted) in {took:.1f} s: **{total / took:,.0f} deliveries/s**, "
            f"{cpu / total * 1000:.2f} ms of this process's CPU each (hub and receivers).",
            f"Lag from the events' writing to receipt: p50 {statistics.median(lags):.1f} s, "
            f"p95 {lags[int(len(lags) * 0.95)]:.1f} s, max {took:.1f} s.",
        ]
    )
