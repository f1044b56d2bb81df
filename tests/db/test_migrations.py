from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from hub.db import migrations
from hub.errors import ConfigurationError


async def test_a_migrated_database_is_current_and_migrating_again_applies_nothing(
    db: asyncpg.Connection,
) -> None:
    assert await migrations.is_current(db)
    assert await migrations.migrate(db) == []


async def test_every_migration_is_recorded_with_its_checksum(db: asyncpg.Connection) -> None:
    rows = await db.fetch("SELECT version, checksum FROM schema_migrations ORDER BY version")
    expected = [(m.version, m.checksum) for m in migrations.discover()]
    assert [(r["version"], r["checksum"]) for r in rows] == expected


async def test_a_changed_migration_refuses_to_run_and_names_the_file(
    db: asyncpg.Connection, tmp_path: Path
) -> None:
    for m in migrations.discover():
        (tmp_path / m.name).write_text(m.sql)
    first = migrations.discover()[0]
    (tmp_path / first.name).write_text(first.sql + "\n-- edited\n")
    with pytest.raises(ConfigurationError, match=f"{first.name} was changed"):
        await migrations.migrate(db, tmp_path)
    assert not await migrations.is_current(db, tmp_path)


async def test_a_pending_migration_is_applied_once_and_then_current(
    db: asyncpg.Connection, tmp_path: Path
) -> None:
    for m in migrations.discover():
        (tmp_path / m.name).write_text(m.sql)
    (tmp_path / "0999_extra.sql").write_text("CREATE TABLE extra (id int);")
    assert not await migrations.is_current(db, tmp_path)
    applied = await migrations.migrate(db, tmp_path)
    assert [m.name for m in applied] == ["0999_extra.sql"]
    assert await migrations.is_current(db, tmp_path)


async def test_a_failing_migration_leaves_nothing_half_applied(
    db: asyncpg.Connection, tmp_path: Path
) -> None:
    for m in migrations.discover():
        (tmp_path / m.name).write_text(m.sql)
    (tmp_path / "0999_broken.sql").write_text("CREATE TABLE half (id int); SELECT nonsense_fn();")
    with pytest.raises(ConfigurationError, match=r"0999_broken\.sql failed"):
        await migrations.migrate(db, tmp_path)
    assert await db.fetchval("SELECT to_regclass('half')") is None
    assert await db.fetchval("SELECT count(*) FROM schema_migrations WHERE version = 999") == 0


def test_a_badly_named_migration_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_Init.sql").write_text("SELECT 1;")
    with pytest.raises(ConfigurationError, match=r"NNNN_lowercase_words\.sql"):
        migrations.discover(tmp_path)
