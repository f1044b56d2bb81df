"""The trail is append-only and hash-chained: any change behind the hub's back is found."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from tests.audit.helpers import CHILD, MISSING_CHILD, STATUS_ONLY
from tests.conftest import RunningHub

VERIFY = "{ verifyAuditChain { ok checked firstBrokenId problem } }"


async def _activity(hub: RunningHub) -> None:
    await hub.query(hub.token("stockholm"), STATUS_ONLY)
    await hub.query(hub.token("polisen-stockholm", "officer"), CHILD, id=str(MISSING_CHILD))


async def _verify(hub: RunningHub) -> dict[str, object]:
    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    result: dict[str, object] = (await hub.query(auditor, VERIFY))["verifyAuditChain"]
    return result


async def test_an_untouched_trail_verifies(hub: RunningHub) -> None:
    await _activity(hub)
    result = await _verify(hub)
    assert result["ok"] is True
    assert isinstance(result["checked"], int)
    assert result["checked"] > 1
    assert result["firstBrokenId"] is None


async def test_a_row_altered_behind_the_hubs_back_breaks_the_chain_at_that_row(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _activity(hub)
    victim = await db.fetchval("SELECT seq FROM audit_log ORDER BY seq OFFSET 2 LIMIT 1")
    async with db.transaction():
        await db.execute("SET LOCAL session_replication_role = replica")  # skip the trigger
        await db.execute(
            "UPDATE audit_log SET organisation_id = 'stadsmissionen' WHERE seq = $1", victim
        )
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == victim
    assert "altered" in str(result["problem"])


async def test_a_deleted_row_and_a_cut_off_end_are_found(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _activity(hub)
    first = await db.fetchval("SELECT min(seq) FROM audit_log")
    last = await db.fetchval("SELECT max(seq) FROM audit_log")
    async with db.transaction():
        await db.execute("SET LOCAL session_replication_role = replica")
        await db.execute("DELETE FROM audit_log WHERE seq = $1", last)
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == last

    async with db.transaction():
        await db.execute("SET LOCAL session_replication_role = replica")
        await db.execute("DELETE FROM audit_log WHERE seq = $1", first + 1)
    result = await _verify(hub)
    assert result["firstBrokenId"] == first + 1
    assert "missing" in str(result["problem"])


async def test_the_hubs_role_may_not_change_or_delete_audit_rows(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _activity(hub)
    async with hub.runtime.pool.acquire() as conn:  # the hub's own connections
        for statement in (
            "UPDATE audit_log SET sub = 'x'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
    # and even the owner is stopped by the trigger
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await db.execute("DELETE FROM audit_log")


def test_hub_audit_verify_reports_the_first_broken_link_and_exits_1(
    db_url: str, data_dir: Path
) -> None:
    import asyncio

    async def tamper() -> None:
        conn = await asyncpg.connect(db_url)
        try:
            async with conn.transaction():
                await conn.execute("SET LOCAL session_replication_role = replica")
                await conn.execute("UPDATE audit_log SET action = 'x' WHERE seq = 3")
        finally:
            await conn.close()

    env = {"HUB_DATABASE_URL": db_url, "HUB_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}

    async def seed_trail() -> None:
        from tests.conftest import run_hub

        async with run_hub(db_url, data_dir) as hub:
            await _activity(hub)

    asyncio.run(seed_trail())
    ok = subprocess.run(
        [sys.executable, "-m", "hub", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("ok: ")

    asyncio.run(tamper())
    broken = subprocess.run(
        [sys.executable, "-m", "hub", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert "broken at seq 3" in broken.stdout
