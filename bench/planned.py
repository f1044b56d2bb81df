"""Scenario 9: queries run from a plan (hub/graphql/planned.py) against the same hub with
HUB_PLANNED=0, in one run: the 500-case list (20 fields) and the case detail. The
planned hub runs with HUB_COMPILED=0, so these reads reach the planned executor (the
compiled path against it is scenario 10).

Two hub processes on one database, requests rotating between them in a shuffled order
each round (so both see the same machine noise), one at a time: median wall time and
the hub process's CPU per request (from /proc), and their ratios.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.harness import Replica, replicas, scratch_database
from bench.list_authorization import QUERIES, _add_cases
from bench.load import CASES, DETAIL
from hub.auth.dev_issuer import DevIssuer

ROUNDS = {"list": 60, "detail": 400}
SWITCHES = (("--no-compiled",), ("--no-planned",))  # the planned executor vs graphql-core


async def _cell(
    http: httpx.AsyncClient, hubs: list[Replica], token: str, body: dict[str, object], rounds: int
) -> tuple[list[float], list[float]]:
    """Median wall seconds and mean CPU seconds per request, per hub."""
    times: list[list[float]] = [[] for _ in hubs]
    cpu = [0.0 for _ in hubs]
    order = list(range(len(hubs)))
    headers = {"authorization": f"Bearer {token}"}
    for warm_up in [True] * 5 + [False] * rounds:
        random.shuffle(order)
        for i in order:
            before, start = hubs[i].cpu_seconds(), time.perf_counter()
            response = await http.post(f"{hubs[i].url}/graphql", json=body, headers=headers)
            elapsed, spent = time.perf_counter() - start, hubs[i].cpu_seconds() - before
            answer = response.json()
            if response.status_code != 200 or answer.get("errors"):
                raise RuntimeError(f"the read failed: {response.status_code} {answer}")
            if not warm_up:
                times[i].append(elapsed)
                cpu[i] += spent
    return [statistics.median(t) for t in times], [c / rounds for c in cpu]


async def run() -> str:
    async with scratch_database() as url:
        await _add_cases(url)
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-data-"))
        lines = [
            "## Scenario 9: queries run from a plan vs graphql-core (HUB_PLANNED=0)",
            "",
            "| read | caller | planned wall (ms) | unplanned wall (ms) | planned CPU (ms) "
            "| unplanned CPU (ms) | CPU unplanned / planned |",
            "|---|---|---|---|---|---|---|",
        ]
        async with replicas(url, data_dir, SWITCHES) as hubs:
            issuer = DevIssuer(data_dir, audience="hub")
            reads: list[tuple[str, str, str, dict[str, object]]] = [
                ("list", "stockholm", "caseworker", {"query": QUERIES["20 fields + withheld"]}),
                (
                    "detail",
                    "polisen-stockholm",
                    "officer",
                    {"query": DETAIL, "variables": {"id": CASES[0]}},
                ),
            ]
            async with httpx.AsyncClient(timeout=60) as http:
                for read, org, role, body in reads:
                    token = issuer.issue(sub=f"bench@{org}", org=org, roles=[role], ttl=3600)
                    (wall, other), (cpu, other_cpu) = await _cell(
                        http, hubs, token, body, ROUNDS[read]
                    )
                    lines.append(
                        f"| {read} | {org} | {wall * 1000:.1f} | {other * 1000:.1f} "
                        f"| {cpu * 1000:.2f} | {other_cpu * 1000:.2f} | {other_cpu / cpu:.2f} |"
                    )
        lines += [
            "",
            f"{ROUNDS['list']} rounds of the list, {ROUNDS['detail']} of the detail, after 5 "
            "warm-ups, one request at a time; CPU is the hub process's alone. Both hubs decide "
            "every field, list what they withheld and write the audit record; only the "
            "executor differs.",
        ]
        return "\n".join(lines)
