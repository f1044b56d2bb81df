"""Shared bench plumbing: a scratch database and hub servers on loopback ports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import uvicorn

from hub.app import create_app
from hub.db import migrations
from hub.db.embedded import EmbeddedPostgres, start_embedded
from hub.demo.seed import seed
from hub.runtime import Runtime
from hub.settings import Settings


def _start_scratch_server() -> EmbeddedPostgres:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    data_dir.chmod(0o755)  # the embedded server runs as its own user when we are root
    return start_embedded(data_dir, delete_on_stop=True)


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A migrated, seeded database that is dropped afterwards, analysed (as is what a
    scenario adds to it): the planner then has the statistics autovacuum keeps in
    production. Without them, plans were made for whatever autovacuum had last seen,
    and changed when it next came by, in the middle of a run: a list of 500 cases for
    Stadsmissionen took PostgreSQL 3.8 ms in one run and 11 ms in another, and 3.0 ms
    once analysed."""
    admin_url = os.environ.get("HUB_DATABASE_URL")
    server = None
    if not admin_url:
        server = await asyncio.to_thread(_start_scratch_server)
        admin_url = server.url("postgres")
    name = f"hub_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin_url.partition("?")
    url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    try:
        conn = await asyncpg.connect(url)
        import json

        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        await migrations.migrate(conn)
        async with conn.transaction():
            await seed(conn)
        await conn.execute("ANALYZE")
        await conn.close()
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        if server is not None:
            server.stop()


@asynccontextmanager
async def hub_server(url: str, data_dir: Path) -> AsyncIterator[tuple[str, Runtime]]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = Settings(data_dir=data_dir, port=port, log_level="WARNING", pool_max_size=10)
    app = create_app(settings, database_url=url)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", app.state.runtime
    finally:
        server.should_exit = True
        await task


CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class Replica:
    """A hub in its own process: `hub serve`, or `bench.serve` when switches are given."""

    process: subprocess.Popen[bytes]
    url: str

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _start(url: str, data_dir: Path, switches: Sequence[str]) -> Replica:
    """A hub in a process of its own, started with `python -m` from the current directory:
    it runs the code there, whatever PYTHONPATH says. To compare two checkouts, run the
    bench from each one's directory."""
    port = free_port()
    env = {
        **os.environ,
        "HUB_ENV": "dev",  # the bench signs its tokens with the dev issuer
        "HUB_DATABASE_URL": url,
        "HUB_DATA_DIR": str(data_dir),
        "HUB_LOG_LEVEL": "WARNING",
        "HUB_POOL_MAX": "20",
    }
    module = ["bench.serve", *switches] if switches else ["hub", "serve"]
    process = subprocess.Popen(  # noqa: ASYNC220 - a quick start of a child that runs alone
        [sys.executable, "-m", *module, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return Replica(process, base)
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise RuntimeError("a hub replica did not become ready")


@asynccontextmanager
async def replicas(
    url: str, data_dir: Path, switches: Sequence[Sequence[str]]
) -> AsyncIterator[list[Replica]]:
    """One hub process per entry of `switches` (empty: the product as shipped)."""
    started: list[Replica] = []
    try:
        for s in switches:
            started.append(await _start(url, data_dir, s))
        yield started
    finally:
        for r in started:
            r.process.terminate()
        for r in started:
            try:
                await asyncio.to_thread(r.process.wait, 30)
            except subprocess.TimeoutExpired:
                r.process.kill()
