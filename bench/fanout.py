"""Scenario 4: one status change fanned out to N subscribers across two replicas.

Two `hub serve` processes on one scratch database; N WebSocket subscribers spread over
both replicas and over the organisations entitled to see the case. The police report the
child found through replica A; every subscriber times the arrival of STATUS_CHANGED.
Reports delivery latency (median, p99, from sending the mutation), hub CPU per delivered
event and hub memory per idle subscriber (RSS of both replicas, before and after).
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from bench.harness import Replica, replicas, scratch_database
from bench.ws_wire import Subscriber, subscribe
from hub.auth.dev_issuer import DevIssuer
from hub.demo.seed import _id

SIZES = (100, 1000, 5000)
CORES = os.cpu_count() or 1
SUBSCRIPTION = """subscription($caseId: ID) { caseEvents(caseId: $caseId) {
    cursor type case { status } } }"""
FOUND = """mutation($input: ReportFoundInput!) { reportFound(input: $input) { case { id } } }"""
AWAITED = b'"type":"STATUS_CHANGED"'
ORGS = (("polisen-stockholm", "officer"), ("migrationsverket", "caseworker"))


async def _round(
    replicas: list[Replica], issuer: DevIssuer, n: int, case_id: str, label: str
) -> str:
    # one person per subscriber: a user may hold only HUB_WS_MAX_CONNECTIONS sockets
    tokens = [
        issuer.issue(sub=f"bench-{i}", org=ORGS[i % 2][0], roles=[ORGS[i % 2][1]], ttl=3600)
        for i in range(n)
    ]
    rss_before = sum(r.rss_bytes() for r in replicas)
    half = n // 2
    sockets = await _connect(replicas, tokens, range(half), case_id)
    await asyncio.sleep(1.0)  # every subscriber registered and idle
    rss_half = sum(r.rss_bytes() for r in replicas)
    sockets += await _connect(replicas, tokens, range(half, n), case_id)
    await asyncio.sleep(1.0)
    rss_after = sum(r.rss_bytes() for r in replicas)
    cpu_before = sum(r.cpu_seconds() for r in replicas)
    client_before = _client_cpu()
    police = issuer.issue(sub="bench-police", org="polisen-stockholm", roles=["officer"])
    sent = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{replicas[0].url}/graphql",
            json={
                "query": FOUND,
                "variables": {
                    "input": {
                        "caseId": case_id,
                        "foundAt": datetime.now(UTC).isoformat(),
                        "place": "T-Centralen",
                    }
                },
            },
            headers={"authorization": f"Bearer {police}"},
        )
        assert "errors" not in response.json(), response.json()
    times = await asyncio.wait_for(asyncio.gather(*(ws.arrived for ws in sockets)), 120)
    client = (_client_cpu() - client_before) / ((time.perf_counter() - sent) * CORES)
    await asyncio.sleep(0.5)
    cpu = sum(r.cpu_seconds() for r in replicas) - cpu_before
    for ws in sockets:
        ws.close()
    latencies = sorted((t - sent) * 1000 for t in times)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return (
        f"| {n} | {label} | {len(times)} | {statistics.median(latencies):.0f} | {p99:.0f} | "
        f"{cpu / n * 1000:.2f} | {(rss_after - rss_before) / n / 1024:.1f} | "
        f"{(rss_after - rss_half) / (n - half) / 1024:.1f} | {client:.0%} |"
    )


async def _connect(
    replicas: list[Replica], tokens: list[str], which: range, case_id: str
) -> list[Subscriber]:
    sockets: list[Subscriber] = []
    for start in range(which.start, which.stop, 100):  # in waves, as boards open in the morning
        sockets += await asyncio.gather(
            *(
                subscribe(
                    replicas[i % 2].url.replace("http", "ws") + "/graphql",
                    tokens[i],
                    SUBSCRIPTION,
                    {"caseId": case_id},
                    AWAITED,
                )
                for i in range(start, min(which.stop, start + 100))
            )
        )
    return sockets


def _client_cpu() -> float:
    """CPU seconds of this process: the bench's own subscribers, sharing the hub's cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _missing_again(url: str, case_id: str) -> None:
    """The scratch database's case back to REPORTED_MISSING, so every round reports the
    same child found (the same subscribers' view, the same payload)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """UPDATE cases SET status = 'REPORTED_MISSING', found_at = NULL,
                   found_place = NULL WHERE id = $1""",
            uuid.UUID(case_id),
        )
    finally:
        await conn.close()


async def run(sizes: tuple[int, ...] = SIZES) -> str:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    case = str(_id("case", 17))
    async with scratch_database() as url:
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-fanout-"))
        rows = []
        # each size twice in one run: cohorts off, then on (the shipped default), each on
        # a case of its own, so the ratio is measured on the same machine and database
        for label, switches in (("off", ("--no-cohorts",)), ("on", ())):
            async with replicas(url, data_dir, (switches, switches)) as running:
                issuer = DevIssuer(data_dir, audience="hub")
                for n in sizes:
                    await _missing_again(url, case)
                    rows.append(await _round(running, issuer, n, case, label))
    return "\n".join(
        [
            "## Scenario 4: one status change fanned out across two replicas",
            "",
            "| subscribers | cohorts | delivered | median latency (ms) | p99 latency (ms) | "
            "hub CPU per delivery (ms) | hub memory per idle subscriber (KiB) | "
            "the same, second half only (KiB) | bench client's CPU (share of the cores) |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Latency runs from sending the mutation to each subscriber's receipt (so it includes "
            "the mutation itself); CPU and memory are both replicas' together (/proc). Memory "
            "per idle subscriber is the RSS the round's subscribers added, divided by their "
            "number; the second-half column is what the second half added on top of the first "
            "half (so it leaves out what the first subscribers cost once: pooled connections, "
            "caches). The "
            f"bench client's CPU is its own (getrusage) from the mutation to the last receipt, "
            f"as a share of the machine's {CORES} cores.",
        ]
    )
