"""Scenario 1: `cases(first: 500)` with 20 fields: authorization and audit on vs off.

Four variants of the hub on one database: the product as shipped (policy and audit), one
without the audit recorder, one with neither (policy bypassed), and one that begins a
compiled read's audit record only once the answer is built (as before the record was
begun early, `hub.audit.appender.AuditAppender.begin`): the last three are `bench.serve`
with its switches. Each variant runs in two processes (`PROCESSES`), measured in turn.
Requests rotate between the hubs in a shuffled order each round, so all see the same
machine noise. Two ratios per cell: of median wall time, and of the hub process's CPU
time per request (read from /proc; steadier on a shared machine).

The two hubs that write audit records take turns with the quiet ones in passes of their
own: both append to the one chain, and each would find its end moved by the other at
every request and take the chain's lock to read it (`AuditAppender.relocked`), which is
what replicas that write at the same moment cost, not one hub's audit.
"""

from __future__ import annotations

import itertools
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.harness import Replica, replicas, scratch_database
from hub.auth.dev_issuer import DevIssuer
from hub.cases import repository as cases_repo
from hub.cases.models import Case, CaseStatus, Outcome
from hub.policy.facts import RowFacts

ROUNDS = 100
SWITCHES = ((), ("--no-audit",), ("--no-audit", "--bypass"), ("--late-record",))
# processes per variant: two hub processes running the same code differ by up to 4 % in
# wall and CPU time (memory layout; measured with three alike, 400 requests each), as
# much as some effects measured here, so each variant's time is pooled over two
PROCESSES = 2
FIELDS = """
  id status openedAt policeReportNumber reportedMissingAt registeredAvvikenAt foundAt closedAt
  outcome lastSeenAt lastSeenPlace foundPlace circumstances returnInterview
  child { id givenName familyName birthDate nationality description { clothing } }"""
# the same 20 fields, then with the `withheld` lists a masked caller also receives
QUERIES = {
    "20 fields": f"{{ cases(first: 500) {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}",
    "20 fields + withheld": (
        f"{{ cases(first: 500) {{ totalCount edges {{ node {{ {FIELDS} "
        "withheld { category reason } } } } }"
    ),
}


async def _add_cases(url: str) -> int:
    """20 closed episodes for each child of Stockholm, and consent for Stadsmissionen."""
    conn = await asyncpg.connect(url)
    try:
        children = await conn.fetch(
            "SELECT id FROM children WHERE responsible_municipality_id = 'stockholm'"
        )
        now = datetime.now(UTC)
        rows = []
        for child in children:
            for n in range(20):
                opened = now - timedelta(days=400 - n * 15)
                rows.append(
                    (
                        Case(
                            id=uuid.uuid4(),
                            child_id=child["id"],
                            status=CaseStatus.CLOSED,
                            opened_at=opened,
                            opened_by="stockholm",
                            last_seen_at=opened,
                            last_seen_place="Slussen",
                            circumstances="bench",
                            police_report_number="x",
                            reported_missing_at=opened,
                            registered_avviken_at=opened,
                            found_at=opened,
                            found_place="T-Centralen",
                            return_interview="bench",
                            closed_at=opened + timedelta(days=3),
                            outcome=Outcome.RETURNED,
                            version=1,
                            facts=RowFacts("stockholm", None, None, "CLOSED"),
                        ),
                        "polisen-stockholm",
                        "migrationsverket",
                    )
                )
        await cases_repo.insert_many(conn, rows)
        await conn.executemany(
            """INSERT INTO consents (child_id, recipient_organisation_id, categories,
               granted_by_sub, granted_by_organisation_id)
               VALUES ($1, 'stadsmissionen', '{CASE_STATUS,IDENTITY,DESCRIPTION,SIGHTINGS}',
                       'bench', 'stockholm')""",
            [(c["id"],) for c in children],
        )
        # statistics of what was added, as autovacuum keeps them in production
        await conn.execute("ANALYZE cases, children, consents")
        return len(rows)
    finally:
        await conn.close()


async def _time(http: httpx.AsyncClient, url: str, token: str, query: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = await http.post(
        url, json={"query": query}, headers={"authorization": f"Bearer {token}"}
    )
    elapsed = time.perf_counter() - start
    body = response.json()
    assert "errors" not in body, body
    return elapsed, len(body["data"]["cases"]["edges"])


@dataclass
class Cell:
    wall: list[float]  # median seconds per request, per variant
    cpu: list[float]  # hub CPU seconds per request, per variant
    rows: int


Variant = list[Replica]  # the processes of one variant


async def _measure(http: httpx.AsyncClient, hubs: list[Variant], token: str, query: str) -> Cell:
    """The full and the late-record hub each in a pass with the quiet ones (see above),
    once with each variant's first process and once with its second; each variant's
    times the mean of the two."""
    cells = []
    for k in range(PROCESSES):
        full, quiet, off, late = (processes[k] for processes in hubs)
        first = await _rotated(http, [full, quiet, off], token, query)
        second = await _rotated(http, [late, quiet], token, query)
        cells.append(
            Cell(
                [*first.wall, second.wall[0] * first.wall[1] / second.wall[1]],
                [*first.cpu, second.cpu[0] * first.cpu[1] / second.cpu[1]],
                first.rows,
            )
        )
    return Cell(
        [statistics.fmean(c.wall[i] for c in cells) for i in range(len(hubs))],
        [statistics.fmean(c.cpu[i] for c in cells) for i in range(len(hubs))],
        cells[0].rows,
    )


async def _rotated(http: httpx.AsyncClient, hubs: list[Replica], token: str, query: str) -> Cell:
    """Requests rotating over the hubs in a shuffled order each round."""
    urls = [f"{h.url}/graphql" for h in hubs]
    for _ in range(3):  # warm-up
        for url in urls:
            await _time(http, url, token, query)
    times: list[list[float]] = [[] for _ in hubs]
    cpu = [0.0 for _ in hubs]
    rows = 0
    order = list(range(len(hubs)))
    for _ in range(ROUNDS):
        random.shuffle(order)
        for i in order:
            before = hubs[i].cpu_seconds()
            t, rows = await _time(http, urls[i], token, query)
            cpu[i] += hubs[i].cpu_seconds() - before
            times[i].append(t)
    return Cell([statistics.median(t) for t in times], [c / ROUNDS for c in cpu], rows)


def _pct(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:+.1f} %"


async def run() -> str:
    async with scratch_database() as url:
        added = await _add_cases(url)
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-data-"))
        lines = [
            f"## Scenario 1: cases(first: 500), authorization and audit on vs off "
            f"({added} bench cases)",
            "",
            "| caller | query | rows | full (ms) | no audit (ms) | bypass, no audit (ms) "
            "| audit overhead (wall / CPU) | authorization + audit (wall / CPU) "
            "| audit overhead, record begun after the answer (wall / CPU) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        switches = [s for s in SWITCHES for _ in range(PROCESSES)]
        async with replicas(url, data_dir, switches) as started:
            hubs = [started[i : i + PROCESSES] for i in range(0, len(started), PROCESSES)]
            issuer = DevIssuer(data_dir, audience="hub")
            async with httpx.AsyncClient(timeout=60) as http:
                for (org, role), (label, query) in itertools.product(
                    (("stockholm", "caseworker"), ("stadsmissionen", "staff")), QUERIES.items()
                ):
                    token = issuer.issue(sub=f"bench@{org}", org=org, roles=[role], ttl=3600)
                    c = await _measure(http, hubs, token, query)
                    (full, quiet, off, late), (cfull, cquiet, coff, clate) = c.wall, c.cpu
                    lines.append(
                        f"| {org} | {label} | {c.rows} | {full * 1000:.1f} | {quiet * 1000:.1f} "
                        f"| {off * 1000:.1f} | {_pct(full, quiet)} / {_pct(cfull, cquiet)} "
                        f"| {_pct(full, off)} / {_pct(cfull, coff)} "
                        f"| {_pct(late, quiet)} / {_pct(clate, cquiet)} |"
                    )
        lines += [
            "",
            f"{ROUNDS} rounds per cell after 3 warm-ups, each hub in its own process, and each "
            f"variant in {PROCESSES} processes measured in turn (the mean of their medians: "
            "two processes of the same code differ by up to 4 %). A hub without audit does "
            "none of the audit's work (since 4d85721 not even a page's grouping by child). "
            "Budgets: "
            "audit overhead <= 10 %, authorization + audit <= 15 %. With audit on, every "
            "request appends one chained entry per view (the children it showed alike share one; "
            "the 500 cases of Stockholm's 33 children are 2 entries), through the group commit. "
            "'bypass' discloses everything, so its `withheld` lists are empty; with the second "
            "query the masked caller also serialises one `withheld` entry per held-back "
            "category and row: more response, not more authorization. The last column's hub "
            "begins a compiled read's record only once its answer is built, as before records "
            "were begun early: the difference to the first overhead is what writing the record "
            "while the answer is built saves. The two hubs that write records each take turns "
            "with the quiet ones in a pass of their own (the last column: its overhead over "
            "the quiet hub of its pass, scaled to the first pass's): in one pass, each would "
            "find the chain's end moved by the other at every request and lock it to read it. "
            "CPU is the hub process's alone (PostgreSQL's share is in the wall time).",
        ]
        return "\n".join(lines)
