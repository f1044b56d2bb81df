"""Forward-only migrations from `migrations/NNNN_name.sql`.

Each file runs in its own transaction and is recorded with its checksum. An advisory
lock serialises replicas that start together. A changed file that was already applied
stops everything: history must not be rewritten under a running system.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg

from hub.errors import ConfigurationError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_LOCK_KEY = 0x6875625F6D6967  # "hub_mig"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""
_APPLIED = "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
_RECORD = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"
_TABLE_EXISTS = "SELECT to_regclass('schema_migrations') IS NOT NULL"

Conn: TypeAlias = "asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[Any]"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    migration: Migration
    applied: bool


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise ConfigurationError(f"{path}: migration files are named NNNN_lowercase_words.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ConfigurationError(f"{directory}: two migrations share a number")
    return found


async def _applied(conn: Conn) -> dict[int, str]:
    if not await conn.fetchval(_TABLE_EXISTS):
        return {}
    return {row["version"]: row["checksum"] for row in await conn.fetch(_APPLIED)}


def _check_unchanged(migrations: list[Migration], applied: dict[int, str]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            raise ConfigurationError(
                f"migration {migration.name} was changed after it was applied; "
                "restore it and add a new migration instead"
            )
    unknown = sorted(set(applied) - {m.version for m in migrations})
    if unknown:
        raise ConfigurationError(
            f"the database has migration {unknown[0]:04d} that this hub does not know; "
            "run a newer hub"
        )


async def status(conn: Conn, directory: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    migrations = discover(directory)
    applied = await _applied(conn)
    _check_unchanged(migrations, applied)
    return [MigrationStatus(m, m.version in applied) for m in migrations]


async def is_current(conn: Conn, directory: Path = MIGRATIONS_DIR) -> bool:
    try:
        return all(s.applied for s in await status(conn, directory))
    except ConfigurationError:
        return False


async def migrate(conn: Conn, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every pending migration; return the ones applied now."""
    migrations = discover(directory)
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        applied = await _applied(conn)
        _check_unchanged(migrations, applied)
        done: list[Migration] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            async with conn.transaction():
                try:
                    await conn.execute(migration.sql)
                except asyncpg.PostgresError as exc:
                    raise ConfigurationError(
                        f"migration {migration.name} failed: {exc.__class__.__name__}: {exc}"
                    ) from exc
                await conn.execute(_RECORD, migration.version, migration.name, migration.checksum)
            done.append(migration)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
