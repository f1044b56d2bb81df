"""The trail is append-only and hash-chained: any change behind the hub's back is found."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from hub.audit import repository
from hub.audit.models import AuditKind, NewAuditEntry
from hub.audit.verifier import AuditVerifier
from hub.text import MAX_DETAIL_TEXT
from tests.audit.helpers import CHILD, MISSING_CHILD, STATUS_ONLY, behind_the_hubs_back
from tests.conftest import RunningHub, run_hub, until


@pytest.fixture
async def hub(db_url: str, data_dir: Path) -> AsyncIterator[RunningHub]:
    """A hub whose scheduler sweeps once, at start: no background run can land between a
    test's request for a verification and its answer, however loaded the machine."""
    async with run_hub(db_url, data_dir, scheduler_interval=3600) as running:
        yield running


VERIFY = "{ verifyAuditChain { ok full checkedAt checked firstBrokenId problem } }"
FULL = """mutation { requestFullAuditVerification(input: {reason: "test"}) { queued } }"""


async def _activity(hub: RunningHub) -> None:
    await hub.query(hub.token("stockholm"), STATUS_ONLY)
    await hub.query(hub.token("polisen-stockholm", "officer"), CHILD, id=str(MISSING_CHILD))


async def _settled(hub: RunningHub) -> AuditVerifier:
    """The verifier, once the scheduler's first sweep (which starts a run) is behind us;
    the next sweep is HUB_SCHEDULER_INTERVAL (15 s) away."""
    verifier, scheduler = hub.runtime.verifier, hub.runtime.scheduler
    assert verifier is not None
    assert scheduler is not None
    await until(lambda: scheduler.sweeps >= 1, what="the scheduler's first sweep")
    await verifier.settle()  # the run that sweep started
    await verifier.tick()
    return verifier


async def _verify(hub: RunningHub) -> dict[str, object]:
    """A full run, asked for as the county board's auditor, and its answer."""
    verifier = await _settled(hub)  # no sweep of the scheduler's comes in between
    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    await hub.query(auditor, FULL)
    # the request started the full run in the background: wait for that task itself (a
    # tick of our own could take the queued run first, and the background task would then
    # answer with an incremental run after it)
    await verifier.settle()
    result: dict[str, object] = (await hub.query(auditor, VERIFY))["verifyAuditChain"]
    assert result["full"] is True
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
    await behind_the_hubs_back(
        db, "UPDATE audit_log SET organisation_id = 'stadsmissionen' WHERE seq = $1", victim
    )
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == victim
    assert "altered" in str(result["problem"])


async def test_a_row_is_checked_as_stored_not_as_the_hub_would_clean_it_again(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    long = "a" * (MAX_DETAIL_TEXT + 100)
    entry = NewAuditEntry(
        AuditKind.DENIED,
        "lookupChild",
        "req-long",
        None,
        None,
        "x",
        "stockholm",
        ("caseworker",),
        None,
        details={"note": long},
    )
    assert entry.details["note"] != long  # the hub stores it shortened
    async with db.transaction():
        await repository.append(db, lambda _: [entry])
    victim = await db.fetchval("SELECT seq FROM audit_log WHERE request_id = 'req-long'")
    # the whole text: shortened again, it would be what was hashed
    await behind_the_hubs_back(
        db,
        "UPDATE audit_log SET details = jsonb_build_object('note', $2::text) WHERE seq = $1",
        victim,
        long,
    )
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == victim


async def test_a_deleted_row_and_a_cut_off_end_are_found(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await _activity(hub)
    first = await db.fetchval("SELECT min(seq) FROM audit_log")
    last = await db.fetchval("SELECT max(seq) FROM audit_log")
    await behind_the_hubs_back(db, "DELETE FROM audit_log WHERE seq = $1", last)
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == last

    await behind_the_hubs_back(db, "DELETE FROM audit_log WHERE seq = $1", first + 1)
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


async def test_each_background_run_rehashes_only_the_rows_written_since_the_last(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    verifier = await _settled(hub)
    await _activity(hub)
    first = await verifier.tick()
    assert first.result.ok
    assert first.result.last_seq == await db.fetchval("SELECT max(seq) FROM audit_log")
    await _activity(hub)
    head = await db.fetchval("SELECT max(seq) FROM audit_log")
    second = await verifier.tick()
    assert second.result.ok
    assert second.result.first_seq == (first.result.last_seq or 0) + 1
    assert second.result.checked == head - (first.result.last_seq or 0)
    assert (await verifier.tick()).id == second.id  # nothing new: no run at all


async def test_thirty_asks_for_the_verification_rehash_nothing_and_are_each_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    verifier = await _settled(hub)
    runs = verifier.runs
    auditor = hub.token("stadsmissionen", "auditor", sub="auditor-1@stadsmissionen")
    aliases = " ".join(f"v{i}: verifyAuditChain {{ ok checked checkedAt }}" for i in range(30))
    answers = await hub.query(auditor, f"{{ {aliases} }}")
    assert len({str(a) for a in answers.values()}) == 1
    assert verifier.runs == runs
    asked = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'verifyAuditChain' AND sub = $1",
        "auditor-1@stadsmissionen",
    )
    assert asked == 30


async def test_only_the_county_boards_auditor_may_start_a_full_run(hub: RunningHub) -> None:
    for org, role in (("stadsmissionen", "auditor"), ("stockholm", "caseworker")):
        refused = (await hub.graphql(hub.token(org, role), FULL)).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", org
    board = await hub.query(hub.token("lansstyrelsen-stockholm", "auditor"), FULL)
    assert board["requestFullAuditVerification"]["queued"] is True
