"""Load run: 200 concurrent clients for 60 s on loopback, two replicas, one database.

Clients mix the caseworker's board and case-detail queries, the police's sightings
(mutations) and live subscribers. Readers pause THINK seconds between requests (people
read what they asked for; `--think 0` makes every client a tight loop) and reporters
twice as long. Counts every error and checks that every subscriber received every
sighting made during the run exactly once: zero errors and zero lost events is the pass
mark; throughput, latency and the hubs' CPU per request are reported beside it.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench.harness import Replica, replicas, scratch_database
from bench.wire import Connection, WireError
from hub.auth.dev_issuer import DevIssuer
from hub.demo.seed import _id

CLIENTS = 200
SECONDS = 60.0
THINK = 1.0
SHARES = {"board": 0.45, "detail": 0.35, "sighting": 0.1, "subscriber": 0.1}
CASES = [str(_id("case", n)) for n in (5, 11, 17, 20, 42)]  # ABSENT or REPORTED_MISSING

BOARD = """query Board { cases(first: 20) { totalCount edges { node {
    id status openedAt lastSeenAt child { id givenName familyName } withheld { category } } } } }"""
DETAIL = """query Detail($id: ID!) { case(id: $id) { id status openedAt lastSeenPlace circumstances
    child { id givenName familyName birthDate description { clothing heightCm } }
    sightings { seenAt place } tasks { title dueAt status } withheld { category reason } } }"""
SIGHTING = """mutation Sighting($input: AddSightingInput!) {
    addSighting(input: $input) { case { id } } }"""
SUBSCRIPTION = """subscription { caseEvents { cursor type case { id } } }"""


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    sightings: int = 0

    def took(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


async def _post(conn: Connection, tally: Tally, kind: str, query: str, **v: object) -> bool:
    started = time.perf_counter()
    try:
        status, body = await conn.post({"query": query, "variables": v})
    except (WireError, OSError, ValueError) as exc:
        tally.errors[f"{kind}: {exc}"] += 1
        return False
    tally.took(kind, time.perf_counter() - started)
    if status != 200 or body.get("errors"):
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or [{}]}
        tally.errors[f"{kind}: {status} {sorted(map(str, codes))}"] += 1
        return False
    return True


async def _reader(
    conn: Connection,
    tally: Tally,
    kind: str,
    until: float,
    n: int,
    think: float,
) -> None:
    await asyncio.sleep(think * (n % 10) / 10)  # not all at once
    while time.monotonic() < until:
        if kind == "board":
            await _post(conn, tally, kind, BOARD)
        else:
            await _post(conn, tally, kind, DETAIL, id=CASES[n % len(CASES)])
        n += 1
        await asyncio.sleep(think)


async def _reporter(conn: Connection, tally: Tally, until: float, n: int, think: float) -> None:
    while time.monotonic() < until:
        ok = await _post(
            conn,
            tally,
            "sighting",
            SIGHTING,
            input={
                "caseId": CASES[n % len(CASES)],
                "seenAt": datetime.now(UTC).isoformat(),
                "place": f"plats {n}",
            },
        )
        tally.sightings += ok
        n += 1
        await asyncio.sleep(2 * think)


async def _subscriber(ws_url: str, token: str) -> ClientConnection:
    ws = await connect(ws_url, subprotocols=["graphql-transport-ws"], max_queue=None)  # type: ignore[list-item]
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    return ws


async def _listen(ws: ClientConnection, received: list[str], tally: Tally) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message["type"] == "next":
            if message["payload"].get("errors"):
                tally.errors["subscriber: error event"] += 1
                continue
            event = message["payload"]["data"]["caseEvents"]
            if event["type"] == "SIGHTING_ADDED":
                received.append(event["cursor"])
        elif message["type"] in ("error", "complete"):
            tally.errors[f"subscriber: {message['type']}"] += 1
            return


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


async def _run(
    hubs: list[Replica], issuer: DevIssuer, clients: int, seconds: float, think: float
) -> str:
    counts = {k: max(1, round(clients * share)) for k, share in SHARES.items()}
    counts["board"] = clients - sum(v for k, v in counts.items() if k != "board")
    caseworker = issuer.issue(sub="load-cw", org="stockholm", roles=["caseworker"], ttl=3600)

    def officer(sub: str) -> str:
        return issuer.issue(sub=sub, org="polisen-stockholm", roles=["officer"], ttl=3600)

    police = officer("load-police")
    tally = Tally()
    urls = [f"{h.url}/graphql" for h in hubs]
    # a person each: a user may hold only HUB_WS_MAX_CONNECTIONS sockets
    watchers = [officer(f"load-watch-{i}") for i in range(counts["subscriber"])]
    sockets = [
        await _subscriber(urls[i % 2].replace("http", "ws"), watchers[i])
        for i in range(counts["subscriber"])
    ]
    received: list[list[str]] = [[] for _ in sockets]
    listeners = [
        asyncio.create_task(_listen(ws, r, tally)) for ws, r in zip(sockets, received, strict=True)
    ]
    await asyncio.sleep(1.0)
    users = {
        kind: [Connection(urls[i % 2], police if kind != "board" else caseworker) for i in range(n)]
        for kind, n in counts.items()
        if kind not in ("subscriber", "sighting")
    }
    # a person each, as in the field: one person may add only SIGHTINGS sightings to a
    # case in SIGHTING_WINDOW (hub.cases.facts); a reporter here adds ~6 to each case
    users["sighting"] = [
        Connection(urls[i % 2], officer(f"load-report-{i}")) for i in range(counts["sighting"])
    ]
    cpu_before = sum(h.cpu_seconds() for h in hubs)
    started = time.monotonic()
    until = started + seconds
    work = [_reader(c, tally, "board", until, i, think) for i, c in enumerate(users["board"])]
    work += [_reader(c, tally, "detail", until, i, think) for i, c in enumerate(users["detail"])]
    work += [_reporter(c, tally, until, i, think) for i, c in enumerate(users["sighting"])]
    await asyncio.gather(*work)
    elapsed = time.monotonic() - started
    cpu = sum(h.cpu_seconds() for h in hubs) - cpu_before
    for conn in (c for group in users.values() for c in group):
        await conn.close()
    deadline = time.monotonic() + 30  # let the last events arrive
    while time.monotonic() < deadline and any(len(r) < tally.sightings for r in received):  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*listeners, return_exceptions=True)
    lost = sum(max(0, tally.sightings - len(set(r))) for r in received)
    duplicated = sum(len(r) - len(set(r)) for r in received)
    requests = sum(len(v) for v in tally.latencies.values())
    lines = [
        f"## Load: {clients} clients for {seconds:.0f} s, two replicas, {think:g} s think time",
        "",
        "| clients | kind | requests | per second | p50 (ms) | p95 (ms) | p99 (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in ("board", "detail", "sighting"):
        values = tally.latencies.get(kind, [])
        if values:
            lines.append(
                f"| {counts[kind]} | {kind} | {len(values)} | {len(values) / elapsed:.0f} | "
                f"{statistics.median(values) * 1000:.0f} | {_pct(values, 0.95):.0f} | "
                f"{_pct(values, 0.99):.0f} |"
            )
    lines += [
        "",
        "| requests | per second | hub CPU per request (ms) | errors | subscribers "
        "| events owed to each | lost | duplicated |",
        "|---|---|---|---|---|---|---|---|",
        f"| {requests} | {requests / elapsed:.0f} | {cpu / max(1, requests) * 1000:.1f} "
        f"| {sum(tally.errors.values())} | {counts['subscriber']} | {tally.sightings} "
        f"| {lost} | {duplicated} |",
        "",
        "Hub CPU is both replicas' (/proc), deliveries to subscribers included."
        + (f" Errors: {dict(tally.errors)}." if tally.errors else ""),
    ]
    return "\n".join(lines)


async def run(clients: int = CLIENTS, seconds: float = SECONDS, think: float = THINK) -> str:
    async with scratch_database() as url:
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-load-"))
        async with replicas(url, data_dir, ((), ())) as hubs:
            issuer = DevIssuer(data_dir, audience="hub")
            return await _run(hubs, issuer, clients, seconds, think)
