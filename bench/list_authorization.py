"""Scenario 1: `cases(first: 500)` with 20 fields: authorization and audit on vs off.

Three hub servers on one database: the real one (policy and audit), one without the audit
recorder, and one with neither (policy bypassed: switches only this benchmark builds).
Requests rotate between them so all see the same machine noise; ratios of medians give
the audit's overhead and that of authorization and audit together.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.harness import hub_server, scratch_database
from hub.cases import repository as cases_repo
from hub.cases.models import Case, CaseStatus, Outcome
from hub.policy.engine import Policy
from hub.policy.facts import RowFacts

ROUNDS = 40
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


async def _measure(
    http: httpx.AsyncClient, urls: tuple[str, ...], token: str, query: str
) -> tuple[list[float], int]:
    """Median seconds per server, requests rotating; and rows returned."""
    for _ in range(3):  # warm-up
        for url in urls:
            await _time(http, url, token, query)
    times: list[list[float]] = [[] for _ in urls]
    rows = 0
    for _ in range(ROUNDS):
        for i, url in enumerate(urls):
            t, rows = await _time(http, url, token, query)
            times[i].append(t)
    return [statistics.median(t) for t in times], rows


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
            "| audit overhead | authorization + audit |",
            "|---|---|---|---|---|---|---|---|",
        ]
        async with (
            hub_server(url, data_dir) as (full_url, full_rt),
            hub_server(url, data_dir) as (quiet_url, quiet_rt),
            hub_server(url, data_dir) as (off_url, off_rt),
        ):
            quiet_rt.audit_enabled = False
            off_rt.audit_enabled = False
            off_rt.policy = Policy(bypass=True)
            issuer = full_rt.dev_issuer
            assert issuer is not None
            urls = tuple(f"{u}/graphql" for u in (full_url, quiet_url, off_url))
            async with httpx.AsyncClient(timeout=60) as http:
                for (org, role), (label, query) in itertools.product(
                    (("stockholm", "caseworker"), ("stadsmissionen", "staff")), QUERIES.items()
                ):
                    token = issuer.issue(sub=f"bench@{org}", org=org, roles=[role])
                    (full, quiet, off), rows = await _measure(http, urls, token, query)
                    lines.append(
                        f"| {org} | {label} | {rows} | {full * 1000:.1f} | {quiet * 1000:.1f} "
                        f"| {off * 1000:.1f} | {_pct(full, quiet)} | {_pct(full, off)} |"
                    )
        lines += [
            "",
            f"{ROUNDS} rotating requests per cell after 3 warm-ups. Budgets: audit "
            "overhead <= 10 %, authorization + audit <= 15 %. With audit on, every request "
            "appends one chained row per child touched (one multi-row insert). 'bypass' "
            "discloses everything, so its `withheld` lists are empty; with the second query "
            "the masked caller also serialises one `withheld` entry per held-back category "
            "and row: more response, not more authorization.",
        ]
        return "\n".join(lines)
