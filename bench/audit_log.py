"""Scenario 5: `auditLog` filtered by child and time range over 1 million audit rows.

The rows are generated in SQL, spread evenly over the last 50 days, 13 organisations and
every child; their hashes are not a chain, which the query does not read. The report shows
the plan of the statement the repository runs, and the median time of the GraphQL query
through a hub.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.harness import hub_server, scratch_database
from hub.audit import repository
from hub.audit.models import AuditFilter

ROWS = 1_000_000
ROUNDS = 20
_FILL = """
INSERT INTO audit_log (seq, at, kind, request_id, action, sub, organisation_id, roles,
                       purpose, child_id, disclosed, prev_hash, hash)
SELECT g, now() - g * interval '4.32 seconds', 'READ', md5(g::text), 'cases',
       'bench-' || (g % 500), orgs[1 + g % cardinality(orgs)], '{caseworker}', 'protection',
       kids[1 + (g::bigint * 7919) % cardinality(kids)], '{CASE_STATUS}', '', ''
  FROM generate_series(1, $1::int) g,
       (SELECT array_agg(id) AS orgs FROM organisations) o,
       (SELECT array_agg(id) AS kids FROM children) k
"""
QUERY = """query($filter: AuditFilterInput) { auditLog(first: 50, filter: $filter) {
  totalCount edges { node { seq at kind organisationId sub disclosed } } } }"""


async def _fill(url: str) -> asyncpg.Record:
    conn = await asyncpg.connect(url)
    try:
        await repository.ensure_partitions(conn, (datetime.now(UTC) - timedelta(days=90)).date(), 5)
        await conn.execute(_FILL, ROWS)
        await conn.execute("UPDATE audit_head SET seq = $1", ROWS)
        await conn.execute("ANALYZE audit_log")
        child = await conn.fetchrow(
            "SELECT child_id, count(*) AS n FROM audit_log GROUP BY child_id LIMIT 1"
        )
        assert child is not None
        return child
    finally:
        await conn.close()


async def _plan(url: str, f: AuditFilter) -> str:
    sql, args = repository.page_sql(f, None, first=50, after=None)
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", *args)
    finally:
        await conn.close()
    return "\n".join(r[0] for r in rows)


async def run() -> str:
    async with scratch_database() as url:
        start = time.perf_counter()
        child = await _fill(url)
        filled = time.perf_counter() - start
        now = datetime.now(UTC)
        since, until = now - timedelta(days=14), now
        f = AuditFilter(child_id=child["child_id"], since=since, until=until)
        plan = await _plan(url, f)
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-data-"))
        async with (
            hub_server(url, data_dir) as (hub_url, rt),
            httpx.AsyncClient(timeout=60) as http,
        ):
            assert rt.dev_issuer is not None
            token = rt.dev_issuer.issue(
                sub="bench-auditor", org="lansstyrelsen-stockholm", roles=["auditor"]
            )
            variables = {
                "filter": {
                    "childId": str(child["child_id"]),
                    "from": since.isoformat(),
                    "to": until.isoformat(),
                }
            }
            times = []
            for _ in range(ROUNDS + 3):
                t0 = time.perf_counter()
                response = await http.post(
                    f"{hub_url}/graphql",
                    json={"query": QUERY, "variables": variables},
                    headers={"authorization": f"Bearer {token}"},
                )
                times.append(time.perf_counter() - t0)
                body = response.json()
                assert "errors" not in body, body
            total = body["data"]["auditLog"]["totalCount"]
        uses_index = "Index" in plan and "Seq Scan" not in plan
        return "\n".join(
            [
                f"## Scenario 5: auditLog by child and time range over {ROWS:,} rows",
                "",
                f"Filled in {filled:.1f} s; the child has {child['n']:,} rows in all, "
                f"{total:,} in the 14-day range.",
                f"Median of {ROUNDS} `auditLog(first: 50, filter: {{childId, from, to}})` "
                f"requests (with totalCount) through the hub: "
                f"{statistics.median(times[3:]) * 1000:.1f} ms.",
                f"Plan uses an index and no sequential scan: **{'yes' if uses_index else 'NO'}**.",
                "",
                "```",
                plan,
                "```",
            ]
        )
