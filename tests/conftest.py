"""Fixtures: a real PostgreSQL, a database per test built by the real migrations, and a
real hub server on a loopback port with its dev issuer.

`HUB_TEST_DATABASE_URL` names a server to use (CI's PostgreSQL 15); otherwise an
embedded server is started once per test session. The migrated and seeded database is
made once, as a template; each test gets its own copy, so tests never see each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import itertools
import os
import socket
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from hub.app import create_app
from hub.auth.dev_issuer import DevIssuer
from hub.db import migrations
from hub.db.embedded import start_embedded
from hub.db.pool import close_pool, create_pool
from hub.demo.seed import seed
from hub.organisations.registry import OrganisationRegistry
from hub.policy.engine import Policy
from hub.routines.config import load_routines
from hub.runtime import Runtime
from hub.server import server_for
from hub.settings import Settings
from tests.services import Services

_counter = itertools.count()

STUCK_AFTER = 150.0  # seconds; pytest-timeout (pyproject) ends the run at 180


def _dump_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Every pending task's stack, to the real stderr (pytest's capture would swallow it)."""
    out = sys.__stderr__
    assert out is not None
    for task in asyncio.all_tasks(loop):
        print(f"--- task {task.get_name()}: {task.get_coro()!r}", file=out)
        task.print_stack(file=out)
    out.flush()


_session_loop: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(scope="session", autouse=True)
async def _remember_loop() -> None:
    _session_loop.append(asyncio.get_running_loop())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """A test still running after STUCK_AFTER seconds prints where every thread and every
    asyncio task waits, so a hang says where it is before the backstop ends the run."""

    def report() -> None:
        out = sys.__stderr__
        assert out is not None
        print(f"\n=== {item.nodeid} still running after {STUCK_AFTER:.0f} s ===", file=out)
        faulthandler.dump_traceback(file=out, all_threads=True)
        if _session_loop and not _session_loop[0].is_closed():
            _session_loop[0].call_soon_threadsafe(_dump_tasks, _session_loop[0])

    timer = threading.Timer(STUCK_AFTER, report)
    timer.daemon = True
    timer.start()
    try:
        return (yield)
    finally:
        timer.cancel()


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    external = os.environ.get("HUB_TEST_DATABASE_URL")
    if external:
        yield external
        return
    data_dir = Path(tempfile.mkdtemp(prefix="hub-test-pg-"))
    data_dir.chmod(0o755)
    server = start_embedded(data_dir, delete_on_stop=True)
    try:
        yield server.url("postgres")
    finally:
        server.stop()


async def _connect_json(url: str) -> asyncpg.Connection:
    import json

    conn = await asyncpg.connect(url)
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return conn


@pytest.fixture(scope="session")
async def template_name(pg_admin_url: str) -> AsyncIterator[str]:
    name = f"hub_tpl_{os.getpid()}"
    admin = await asyncpg.connect(pg_admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        conn = await _connect_json(_with_database(pg_admin_url, name))
        try:
            await migrations.migrate(conn)
            async with conn.transaction():
                await seed(conn)
        finally:
            await conn.close()
        yield name
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class _Copies:
    """Copies of the template, one always in the making while a test runs: a copy costs
    the server a third of a second or more of writing (CREATE DATABASE ... TEMPLATE),
    which a test spends mostly in Python, so the next test's copy is made meanwhile."""

    def __init__(self, admin_url: str, template: str) -> None:
        self._admin_url = admin_url
        self._template = template
        self._next: asyncio.Task[str] | None = None

    async def _copy(self) -> str:
        name = f"hub_t_{os.getpid()}_{next(_counter)}"
        admin = await asyncpg.connect(self._admin_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        finally:
            await admin.close()
        return name

    async def take(self) -> str:
        """A fresh copy (made ahead, or now), and the next one begun."""
        made = self._next or asyncio.create_task(self._copy())
        self._next = None
        name = await made
        self._next = asyncio.create_task(self._copy())
        return name

    async def drop(self, name: str) -> None:
        admin = await asyncpg.connect(self._admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    async def close(self) -> None:
        """Drop the copy made ahead that no test took."""
        if self._next is not None:
            with contextlib.suppress(Exception):
                await self.drop(await self._next)


@pytest.fixture(scope="session")
async def _copies(pg_admin_url: str, template_name: str) -> AsyncIterator[_Copies]:
    copies = _Copies(pg_admin_url, template_name)
    try:
        yield copies
    finally:
        await copies.close()


@pytest.fixture
async def db_url(pg_admin_url: str, _copies: _Copies) -> AsyncIterator[str]:
    """A fresh database, migrated and seeded, for this test alone."""
    name = await _copies.take()
    try:
        yield _with_database(pg_admin_url, name)
    finally:
        await _copies.drop(name)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to this test's database, for arranging and checking rows."""
    conn = await _connect_json(db_url)
    yield conn
    await conn.close()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="hub-test-data-"))


def free_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class RunningHub:
    base_url: str
    runtime: Runtime
    issuer: DevIssuer
    http: httpx.AsyncClient

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/graphql"

    def token(self, org: str, role: str = "caseworker", **claims: Any) -> str:
        sub = claims.pop("sub", f"{role}@{org}")
        ttl = claims.pop("ttl", 600)
        return self.issuer.issue(sub=sub, org=org, roles=[role], ttl=ttl, **claims)

    async def swept(self) -> None:
        """Wait for the deadline scheduler's first sweep (due tasks, housekeeping): after
        it the data changes only when a test changes it, for the next 15 s."""
        scheduler = self.runtime.scheduler
        assert scheduler is not None
        await until(lambda: scheduler.sweeps >= 1, what="the scheduler's first sweep")

    async def graphql(
        self,
        token: str | None,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )

    async def query(self, token: str, query: str, **variables: Any) -> dict[str, Any]:
        """Run a query that must succeed; its `data`."""
        response = await self.graphql(token, query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


def hub_settings(data_dir: Path, port: int, **overrides: Any) -> Settings:
    return Settings(
        data_dir=data_dir, host="127.0.0.1", port=port, pool_max_size=5, log_level="WARNING"
    ).with_overrides(**overrides)


STOP_WITHIN = 15.0


@asynccontextmanager
async def run_hub(
    db_url: str, data_dir: Path, *, issuer: DevIssuer | None = None, **overrides: Any
) -> AsyncIterator[RunningHub]:
    """A real hub: uvicorn serving the app on a loopback port, in this event loop.
    `issuer` signs the tests' tokens where the hub has no dev issuer of its own (prod)."""
    sock = free_socket()
    try:
        port = sock.getsockname()[1]
        settings = hub_settings(data_dir, port, **overrides)
        app = create_app(settings, database_url=db_url)
        server = server_for(app, "warning")
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        runtime: Runtime = app.state.runtime
        signer = issuer or runtime.dev_issuer
        assert signer is not None, "a prod hub needs the issuer its tokens come from"
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                yield RunningHub(base, runtime, signer, http)
        finally:
            await _stop(server, task)
    finally:
        sock.close()


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    try:
        await asyncio.wait_for(asyncio.shield(task), STOP_WITHIN)
    except TimeoutError:
        _dump_tasks(asyncio.get_running_loop())
        server.force_exit = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, STOP_WITHIN)
        raise AssertionError(f"the hub did not stop within {STOP_WITHIN} s") from None


@pytest.fixture
async def hub(db_url: str, data_dir: Path) -> AsyncIterator[RunningHub]:
    async with run_hub(db_url, data_dir) as running:
        yield running


async def until(condition: Callable[[], bool], within: float = 10.0, what: str = "") -> None:
    """Poll `condition` until it holds; fail naming `what` after `within` seconds."""
    deadline = asyncio.get_running_loop().time() + within
    for _ in itertools.count():
        if condition():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not true after {within} s: {what or condition}")
        await asyncio.sleep(0.01)


@pytest.fixture
async def services(db_url: str) -> AsyncIterator[Services]:
    """The domain services on this test's database, without HTTP (tests/services.py)."""
    pool = await create_pool(db_url)
    try:
        registry = OrganisationRegistry(pool)
        await registry.load()
        yield Services(pool, registry, Policy(), load_routines())
    finally:
        await close_pool(pool)
