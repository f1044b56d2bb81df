"""Scenario 3: the same reads served by PostGraphile v5 over the same database.

The benchmark installs Node 22 (the npm `node` package) and PostGraphile 5 into a scratch
directory (`bench/.peer/`, kept between runs), grants a `peer_reader` role SELECT on the
hub's tables with row-level security doing the organisation filter (a municipality sees
the cases of the children it is responsible for; anyone else the children that consented
to it), and serves them on loopback. Then one hub and the peer each take N closed-loop
clients with the list (500 cases, 20 fields) and the detail read, for T seconds each in
ROUNDS windows taken in turn (hub, peer, peer, hub, ...), after WARM_UP seconds of the
same read on each side (statements prepared and planned on every connection, the peer's
JIT warm, so that neither side's first window pays for it), so that a machine shared with
others slows both alike; the ratio is of the two totals, and each round's ratio is kept to
show the spread. The peer does the org filter only; the hub also decides per field and
writes an audit row.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.harness import free_port, replicas, scratch_database
from bench.list_authorization import FIELDS, _add_cases
from bench.load import CASES
from bench.wire import Connection
from hub.auth.dev_issuer import DevIssuer

PEER_DIR = Path(__file__).resolve().parent / ".peer"
PACKAGES = ("node@22", "postgraphile@5")
CLIENTS = 20
SECONDS = 15.0
ROUNDS = 5  # windows per side and read, alternating between hub and peer
WARM_UP = 2.0  # seconds per side and read before the windows, not counted

SERVER_JS = """
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PEER_DATABASE_URL,
      schemas: ["public"],
      // the organisation comes from a header, as a gateway that checked the token would
      pgSettings: (ctx) => ({
        role: "peer_reader",
        "hub.org": String(ctx.node?.req?.headers["x-org"] ?? ""),
      }),
    }),
  ],
  grafserv: { port: Number(process.env.PEER_PORT), host: "127.0.0.1", graphiql: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => { console.error(e); process.exit(1); });
await serv.addTo(server);
server.listen(Number(process.env.PEER_PORT), "127.0.0.1");
"""

RLS = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'peer_reader') THEN
    CREATE ROLE peer_reader NOLOGIN;
  END IF;
END $$;
GRANT peer_reader TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO peer_reader;
GRANT SELECT ON cases, children, sightings, consents TO peer_reader;
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE children ENABLE ROW LEVEL SECURITY;
ALTER TABLE sightings ENABLE ROW LEVEL SECURITY;
CREATE POLICY hub_all_cases ON cases TO hub_app USING (true) WITH CHECK (true);
CREATE POLICY hub_all_children ON children TO hub_app USING (true) WITH CHECK (true);
CREATE POLICY hub_all_sightings ON sightings TO hub_app USING (true) WITH CHECK (true);
-- SECURITY DEFINER: it reads children and consents past their own policies (no recursion)
CREATE FUNCTION peer_sees(child uuid) RETURNS boolean LANGUAGE sql STABLE
  SECURITY DEFINER SET search_path = public AS $f$
  SELECT EXISTS (SELECT 1 FROM children c WHERE c.id = child
    AND (c.responsible_municipality_id = current_setting('hub.org', true)
         OR EXISTS (SELECT 1 FROM consents s WHERE s.child_id = c.id
                    AND s.recipient_organisation_id = current_setting('hub.org', true)
                    AND s.revoked_at IS NULL)))
$f$;
CREATE POLICY peer_children ON children FOR SELECT TO peer_reader USING (peer_sees(id));
CREATE POLICY peer_cases ON cases FOR SELECT TO peer_reader USING (peer_sees(child_id));
CREATE POLICY peer_sightings ON sightings FOR SELECT TO peer_reader
  USING (EXISTS (SELECT 1 FROM cases k WHERE k.id = case_id AND peer_sees(k.child_id)));
"""

# the hub's queries, and the same reads in PostGraphile's schema (amber preset names: a
# table's `id` column is `rowId`, `id` being the Relay node id)
HUB_LIST = f"{{ cases(first: 500) {{ edges {{ node {{ {FIELDS} }} }} }} }}"
PEER_LIST = """{ allCases(first: 500) { nodes {
  rowId status openedAt policeReportNumber reportedMissingAt registeredAvvikenAt foundAt closedAt
  outcome lastSeenAt lastSeenPlace foundPlace circumstances returnInterview
  childByChildId { rowId givenName familyName birthDate nationality clothing } } } }"""
HUB_DETAIL = """query($id: ID!) { case(id: $id) { id status openedAt lastSeenPlace circumstances
  child { id givenName familyName birthDate description { clothing heightCm } }
  sightings { seenAt place } } }"""
PEER_DETAIL = """query($id: UUID!) { caseByRowId(rowId: $id) { rowId status openedAt
  lastSeenPlace circumstances childByChildId { rowId givenName familyName birthDate clothing
  heightCm }
  sightingsByCaseId { nodes { seenAt place } } } }"""


def _install() -> Path:
    """node and postgraphile in bench/.peer (once); the node binary."""
    node = PEER_DIR / "node_modules" / ".bin" / "node"
    if not node.exists() or not (PEER_DIR / "node_modules" / "postgraphile").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "scenario 3 needs npm (from the machine's Node.js) to install the peer"
            )
        PEER_DIR.mkdir(exist_ok=True)
        (PEER_DIR / "package.json").write_text('{"private": true, "type": "module"}\n')
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
            cwd=PEER_DIR,
            check=True,
        )
    (PEER_DIR / "server.mjs").write_text(SERVER_JS)
    return node


async def _start_peer(node: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = open(PEER_DIR / "peer.log", "wb")  # noqa: SIM115, ASYNC230
    process = subprocess.Popen(  # noqa: ASYNC220 - a quick start of a child that runs alone
        [str(node), "server.mjs"],
        cwd=PEER_DIR,
        env={
            **os.environ,
            "PEER_DATABASE_URL": url,
            "PEER_PORT": str(port),
            "NODE_ENV": "production",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"PostGraphile exited: see {log.name}")
            try:
                probe = await http.post(f"{base}/graphql", json={"query": "{ __typename }"})
                if probe.status_code == 200:
                    return process, base
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise RuntimeError(f"PostGraphile did not start: see {log.name}")


class _Peer(Connection):
    """The wire client with the organisation header the peer's RLS reads."""

    def __init__(self, url: str, org: str) -> None:
        super().__init__(url, "unused")
        self._head = self._head.replace(
            b"Authorization: Bearer unused\r\n", f"X-Org: {org}\r\n".encode()
        )


async def _closed_loop(
    conns: Sequence[Connection], body: Any, check: Any, seconds: float
) -> tuple[int, float]:
    """Requests answered, and the seconds they took, with every connection sending as
    soon as it has an answer."""
    count = 0

    async def one(conn: Connection, n: int) -> None:
        nonlocal count
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            status, answer = await conn.post(body(n))
            if status != 200 or answer.get("errors") or not check(answer["data"]):
                raise RuntimeError(f"bad answer: {status} {str(answer)[:300]}")
            count += 1
            n += 1

    started = time.monotonic()
    await asyncio.gather(*(one(c, i) for i, c in enumerate(conns)))
    return count, time.monotonic() - started


async def _in_turn(hub: Any, peer: Any, seconds: float) -> tuple[float, float, list[float]]:
    """The hub's and the peer's requests per second over ROUNDS windows each, taken in
    turn (hub first, then peer first, ...), and each round's ratio."""
    done = {"hub": [0, 0.0], "peer": [0, 0.0]}
    ratios = []
    for n in range(ROUNDS):
        rates = {}
        for side in ("hub", "peer") if n % 2 == 0 else ("peer", "hub"):
            count, took = await (hub if side == "hub" else peer)(seconds / ROUNDS)
            done[side][0] += count
            done[side][1] += took
            rates[side] = count / took
        ratios.append(rates["hub"] / rates["peer"])
    (h, ht), (p, pt) = done["hub"], done["peer"]
    return h / ht, p / pt, ratios


def _detail(query: str) -> Any:
    return lambda n: {"query": query, "variables": {"id": CASES[n % len(CASES)]}}


async def _compare(
    org: str, hubs: list[Connection], peers: list[_Peer], seconds: float
) -> list[tuple[str, str, float, float, list[float]]]:
    """List then detail, hub and peer in turn: requests per second of each."""
    rows = []
    for read, (hub_body, hub_ok), (peer_body, peer_ok) in (
        (
            "list",
            (lambda n: {"query": HUB_LIST}, lambda d: d["cases"]["edges"]),
            (lambda n: {"query": PEER_LIST}, lambda d: d["allCases"]["nodes"]),
        ),
        (
            "detail",
            (_detail(HUB_DETAIL), lambda d: "case" in d),
            (_detail(PEER_DETAIL), lambda d: "caseByRowId" in d),
        ),
    ):
        for side, body, ok in ((hubs, hub_body, hub_ok), (peers, peer_body, peer_ok)):
            await _closed_loop(side, body, ok, WARM_UP)  # plans made, caches and JITs warm
        hub_rate, peer_rate, ratios = await _in_turn(
            lambda s, b=hub_body, ok=hub_ok: _closed_loop(hubs, b, ok, s),
            lambda s, b=peer_body, ok=peer_ok: _closed_loop(peers, b, ok, s),
            seconds,
        )
        rows.append((read, org, hub_rate, peer_rate, ratios))
    for c in (*hubs, *peers):
        await c.close()
    return rows


async def run(clients: int = CLIENTS, seconds: float = SECONDS) -> str:
    node = await asyncio.to_thread(_install)
    async with scratch_database() as url:
        await _add_cases(url)
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(RLS)
        finally:
            await conn.close()
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-peer-"))
        peer, peer_base = await _start_peer(node, url)
        try:
            async with replicas(url, data_dir, ((),)) as (hub,):
                issuer = DevIssuer(data_dir, audience="hub")
                rows = []
                for org, role in (("stockholm", "caseworker"), ("stadsmissionen", "staff")):
                    token = issuer.issue(sub=f"peer-{org}", org=org, roles=[role], ttl=3600)
                    hubs = [Connection(f"{hub.url}/graphql", token) for _ in range(clients)]
                    peers = [_Peer(f"{peer_base}/graphql", org) for _ in range(clients)]
                    rows += await _compare(org, hubs, peers, seconds)
        finally:
            peer.terminate()
            await asyncio.to_thread(peer.wait, 30)
    return "\n".join(
        [
            f"## Scenario 3: the hub vs PostGraphile 5 (row-level security), {clients} clients, "
            f"{seconds:.0f} s each",
            "",
            "| read | caller | hub (req/s) | PostGraphile (req/s) | hub / PostGraphile "
            "| rounds' ratios (min-max) |",
            "|---|---|---|---|---|---|",
            *(
                f"| {read} | {org} | {h:.1f} | {p:.1f} | {h / p:.2f} | {min(r):.2f}-{max(r):.2f} |"
                for read, org, h, p, r in rows
            ),
            "",
            "Same database, same rows, one process each on the same two cores, requests sent as "
            f"soon as the previous answer arrives, after {WARM_UP:.0f} s of the same read on "
            f"each side, in {ROUNDS} windows per side taken in turn "
            "(hub, peer, peer, hub, ...), so that the machine's other load falls on both alike. "
            "The hub also decides every field by the sharing matrix, lists what it withheld and "
            "why, and appends a hash-chained audit entry per view before answering; the peer "
            "filters rows only.",
        ]
    )
