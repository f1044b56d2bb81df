"""Scenario 10: the compiled read path (hub/graphql/compiled/) against the same hub with
HUB_COMPILED=0 (strawberry's stock executor on graphql-core), in one run, as a shadow:
every request goes to both hubs, and their answers are compared byte for byte.

The reads: the bench's 500-case list, the peer's case detail, the load run's board and
case detail, and the console's board and case screen, each as three callers (the responsible
municipality, an NGO under consent, the police). Per read and caller: whether the
compiled path answers it (or the field where it stops, `hub schema explain`), the
median wall time and the hub's CPU per request of both, and how many answers differed.
"""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from graphql import parse

from bench.harness import Replica, replicas, scratch_database
from bench.list_authorization import QUERIES, _add_cases
from bench.load import BOARD, CASES, DETAIL
from bench.peer import HUB_DETAIL
from hub.auth.dev_issuer import DevIssuer
from hub.graphql.compiled.executor import explain
from hub.graphql.schema import build_schema

SWITCHES = ((), ("--no-compiled",))
CONSOLE_BOARD = """query Board { cases(first: 200) { edges { node {
  id status openedAt lastSeenAt lastSeenPlace alert { reference cancelledAt }
  child { id givenName familyName birthDate } } } } }"""  # hub/console/screens/board.js
SCREEN = Path(__file__).resolve().parents[1] / "hub" / "console" / "screens" / "case.js"


def _console_case() -> str:
    """The console's case screen query, read from its source so the two cannot drift."""
    source = SCREEN.read_text()
    person = re.search(r'const PERSON = "([^"]*)";', source)
    detail = re.search(r"const DETAIL = `([^`]*)`;", source)
    if person is None or detail is None:
        raise RuntimeError(f"the case screen's query is no longer where {SCREEN} kept it")
    return detail.group(1).replace("${PERSON}", person.group(1))


READS: list[tuple[str, str, int]] = [  # name, document, rounds
    ("list, 500 cases", QUERIES["20 fields + withheld"], 40),
    ("peer's detail", HUB_DETAIL, 300),
    ("load run's board", BOARD, 150),
    ("load run's detail", DETAIL, 300),
    ("console's board", CONSOLE_BOARD, 60),
    ("console's case screen", _console_case(), 60),  # not compiled yet: shows where it stops
]
CALLERS = [
    ("stockholm", "caseworker"),
    ("stadsmissionen", "staff"),
    ("polisen-stockholm", "officer"),
]


async def _shadow(
    http: httpx.AsyncClient, hubs: list[Replica], token: str, document: str, rounds: int
) -> tuple[list[float], list[float], int]:
    """Median wall seconds and mean CPU seconds per request of each hub, and the rounds
    in which their answers differed."""
    times: list[list[float]] = [[] for _ in hubs]
    cpu = [0.0 for _ in hubs]
    differed = 0
    order = list(range(len(hubs)))
    headers = {"authorization": f"Bearer {token}"}
    for n in range(-5, rounds):  # five warm-ups
        random.shuffle(order)
        body: dict[str, Any] = {"query": document}
        if "$id" in document:
            body["variables"] = {"id": CASES[n % len(CASES)]}
        answers: list[bytes] = [b""] * len(hubs)
        for i in order:
            before, start = hubs[i].cpu_seconds(), time.perf_counter()
            response = await http.post(f"{hubs[i].url}/graphql", json=body, headers=headers)
            elapsed, spent = time.perf_counter() - start, hubs[i].cpu_seconds() - before
            if response.status_code != 200 or response.json().get("errors"):
                raise RuntimeError(f"the read failed: {response.status_code} {response.text}")
            answers[i] = response.content
            if n >= 0:
                times[i].append(elapsed)
                cpu[i] += spent
        differed += n >= 0 and len(set(answers)) > 1
    return [statistics.median(t) for t in times], [c / rounds for c in cpu], differed


async def run() -> str:
    schema = build_schema()._schema
    async with scratch_database() as url:
        await _add_cases(url)
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-data-"))
        lines = [
            "## Scenario 10: the compiled read path vs graphql-core (HUB_COMPILED=0), as a shadow",
            "",
            "| read | caller | compiled? | compiled wall (ms) | graphql-core wall (ms) "
            "| compiled CPU (ms) | graphql-core CPU (ms) | CPU graphql-core / compiled "
            "| answers differed |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        async with replicas(url, data_dir, SWITCHES) as hubs:
            issuer = DevIssuer(data_dir, audience="hub")
            async with httpx.AsyncClient(timeout=60) as http:
                for name, document, rounds in READS:
                    variables = {"id": CASES[0]} if "$id" in document else None
                    why = explain(schema, parse(document), None, variables)
                    verdict = "yes" if why is None else f"no: {why}"
                    for org, role in CALLERS:
                        token = issuer.issue(sub=f"bench@{org}", org=org, roles=[role], ttl=3600)
                        (wall, other), (cpu, other_cpu), differed = await _shadow(
                            http, hubs, token, document, rounds
                        )
                        lines.append(
                            f"| {name} | {org} | {verdict} | {wall * 1000:.1f} "
                            f"| {other * 1000:.1f} | {cpu * 1000:.2f} | {other_cpu * 1000:.2f} "
                            f"| {other_cpu / cpu:.2f} | {differed} of {rounds} |"
                        )
        lines += [
            "",
            "Each request goes to both hubs in a shuffled order, one at a time, after five "
            "warm-ups; CPU is each hub process's own. Both decide every field, list what "
            "they withheld and write the audit record; only how the read is executed "
            "differs. An answer that differed would be a defect of the compiled path (the "
            "differential tests require none).",
        ]
        return "\n".join(lines)
