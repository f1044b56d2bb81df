"""Retention pseudonymises children long after their last case closed and drops old audit
months, reports what it did, and leaves a trail that still verifies."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from hub.audit import repository
from hub.audit.models import AuditKind, NewAuditEntry
from hub.audit.service import verify
from hub.db.pool import create_pool
from hub.retention import service
from hub.settings import Settings
from tests.audit.helpers import CLOSED_CASE, CLOSED_CHILD, MISSING_CHILD

LONG_AGO = datetime.now(UTC) - timedelta(days=6 * 365)
SETTINGS = Settings(retention_days=5 * 365, audit_retention_days=5 * 365)


def _old_entry(n: int) -> NewAuditEntry:
    return NewAuditEntry(
        kind=AuditKind.READ,
        action="child",
        request_id=f"old-{n}",
        trace_id=None,
        operation=None,
        sub="someone",
        organisation_id="stockholm",
        roles=("caseworker",),
        purpose="protection",
        child_id=CLOSED_CHILD,
        disclosed=("IDENTITY",),
    )


async def _arrange(db: asyncpg.Connection) -> None:
    """Child 71's case closed six years ago; the trail starts with rows from back then."""
    await db.execute(
        "UPDATE cases SET closed_at = $2 WHERE child_id = $1 AND status = 'CLOSED'",
        CLOSED_CHILD,
        LONG_AGO,
    )
    await db.execute(
        "UPDATE cases SET closed_at = $2::timestamptz, "
        "opened_at = $2::timestamptz - interval '1 day' WHERE id = $1",
        CLOSED_CASE,
        LONG_AGO,
    )
    await repository.ensure_partitions(db, LONG_AGO.date(), 1)
    async with db.transaction():
        await repository.append(
            db, lambda _at: [_old_entry(1), _old_entry(2)], clock=lambda: LONG_AGO
        )


async def test_a_dry_run_reports_and_changes_nothing(db_url: str, db: asyncpg.Connection) -> None:
    await _arrange(db)
    pool = await create_pool(db_url)
    try:
        report = await service.run(pool, SETTINGS, apply=False)
    finally:
        await pool.close()
    assert report.applied is False
    assert report.children >= 1
    assert [rows for _, rows in report.partitions] == [2]
    assert (
        await db.fetchval("SELECT pseudonymised_at FROM children WHERE id = $1", CLOSED_CHILD)
        is None
    )


async def test_applying_pseudonymises_drops_old_months_and_the_chain_still_verifies(
    db_url: str, db: asyncpg.Connection
) -> None:
    await _arrange(db)
    before = await db.fetchrow("SELECT * FROM children WHERE id = $1", CLOSED_CHILD)
    assert before is not None
    pool = await create_pool(db_url)
    try:
        report = await service.run(pool, SETTINGS, apply=True)
    finally:
        await pool.close()
    assert report.applied
    assert report.children >= 1
    after = await db.fetchrow("SELECT * FROM children WHERE id = $1", CLOSED_CHILD)
    assert after is not None
    assert after["given_name"] == "Pseudonym"
    assert after["given_name"] != before["given_name"]
    assert after["birth_date"].month == 1
    assert after["birth_date"].day == 1
    assert after["placement_address"] is None
    assert after["health"] is None
    assert after["pseudonymised_at"] is not None
    assert after["sex"] == before["sex"]  # statistics keep working
    untouched = await db.fetchrow("SELECT * FROM children WHERE id = $1", MISSING_CHILD)
    assert untouched is not None
    assert untouched["pseudonymised_at"] is None

    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE request_id LIKE 'old-%'") == 0
    kept = await db.fetch("SELECT action FROM audit_log WHERE kind = 'RETENTION'")
    assert {r["action"] for r in kept} == {"pseudonymise", "dropAuditMonths"}
    result = await verify(db)
    assert result.ok, result.problem
    assert result.first_seq == 3  # resumes from the anchor the drop left

    pool = await create_pool(db_url)
    try:
        again = await service.run(pool, SETTINGS, apply=True)
    finally:
        await pool.close()
    assert again.children == 0
    assert again.partitions == ()


def test_the_retention_command_needs_a_mode_and_prints_its_report(
    db_url: str, data_dir: Path
) -> None:
    env = {"HUB_DATABASE_URL": db_url, "HUB_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "hub", "retention", "run"]
    missing = subprocess.run(run, env=env, capture_output=True, text=True)
    assert missing.returncode == 2
    assert "--dry-run" in missing.stderr
    dry = subprocess.run([*run, "--dry-run"], env=env, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert "would pseudonymise" in dry.stdout
