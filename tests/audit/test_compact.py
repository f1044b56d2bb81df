"""The compact trail: a request that shows many children the same view appends one chained
entry listing them, and auditors still read a row per child, with that child's cases."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC
from typing import Any

import asyncpg
import pytest

from hub.audit import repository
from hub.audit.models import AuditKind, NewAuditEntry
from tests.audit.helpers import CHILD, MISSING_CHILD, behind_the_hubs_back
from tests.audit.test_chain import _verify, hub  # noqa: F401 - the fixture, as the chain's
from tests.conftest import RunningHub

BOARD = """query Board { cases(first: 500) { edges { node { id status child { id } } } } }"""
LOG = """query($filter: AuditFilterInput) { auditLog(filter: $filter, first: 100) {
    totalCount edges { cursor node { seq childId caseIds disclosed sub hash } } } }"""
REPORT = """query($id: ID!) { accessReport(childId: $id) { sub accesses categories } }"""


async def _board(running: RunningHub, sub: str) -> dict[str, set[str]]:
    """The cases the board showed, by child."""
    found: dict[str, set[str]] = defaultdict(set)
    token = running.token("stockholm", sub=sub)
    cases = (await running.query(token, BOARD))["cases"]["edges"]
    for edge in cases:
        found[edge["node"]["child"]["id"]].add(edge["node"]["id"])
    return found


async def test_a_board_is_one_chained_entry_per_view_and_each_child_keeps_its_own_row(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
) -> None:
    shown = await _board(hub, "board-compact")
    assert len(shown) > 5
    entries = await db.fetch("SELECT * FROM audit_log WHERE sub = 'board-compact' ORDER BY seq")
    assert 0 < len(entries) < len(shown)
    covered = [c for e in entries for c in (e["child_ids"] or [e["child_id"]])]
    assert sorted(map(str, covered)) == sorted(shown)  # every child once, in one entry
    for e in entries:  # a compact entry's cases are one value, 16 bytes each
        if e["child_ids"]:
            assert e["case_ids"] == []
            assert len(e["case_bytes"]) == 16 * sum(e["case_counts"])

    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    for child, cases in sorted(shown.items())[:4]:
        log = await hub.query(auditor, LOG, filter={"childId": child, "sub": "board-compact"})
        [row] = [edge["node"] for edge in log["auditLog"]["edges"]]
        assert row["childId"] == child
        assert set(row["caseIds"]) == cases  # its own cases, not the whole entry's
        assert row["seq"] in {e["seq"] for e in entries}
        report = (await hub.query(auditor, REPORT, id=child))["accessReport"]
        [board] = [r for r in report if r["sub"] == "board-compact"]
        assert board["accesses"] == 1

    everything = (await hub.query(auditor, LOG, filter={"sub": "board-compact"}))["auditLog"]
    assert everything["totalCount"] == len(shown)  # as many rows as before, one per child
    assert len({edge["cursor"] for edge in everything["edges"]}) == len(everything["edges"])


async def test_a_case_filter_finds_the_case_in_compact_entries_through_its_child(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
) -> None:
    shown = await _board(hub, "board-by-case")
    child, cases = sorted(shown.items())[0]
    case = sorted(cases)[0]
    police = hub.token("polisen-stockholm", "officer", sub="officer-by-case")
    await hub.query(police, "query($id: ID!) { case(id: $id) { id } }", id=case)
    compact = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE sub = 'board-by-case' AND cardinality(child_ids) > 1"
    )
    assert compact >= 1  # the board's cases are in compact entries, not rows of their own

    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    log = (await hub.query(auditor, LOG, filter={"caseId": case}))["auditLog"]
    rows = {edge["node"]["sub"]: edge["node"] for edge in log["edges"]}
    assert log["totalCount"] == len(log["edges"]) == 2
    assert rows["board-by-case"]["childId"] == child
    assert set(rows["board-by-case"]["caseIds"]) == cases  # the child's part, no other's
    assert rows["officer-by-case"]["caseIds"] == [case]
    unknown = {"caseId": str(uuid.uuid4())}
    assert (await hub.query(auditor, LOG, filter=unknown))["auditLog"]["totalCount"] == 0


def _legacy_hash(row: asyncpg.Record) -> str:
    """The hash as the hub computed it before compact entries (hub/audit/chain.py then)."""
    record: list[Any] = [
        row["seq"],
        row["at"].astimezone(UTC).isoformat(),
        row["kind"],
        row["request_id"],
        row["trace_id"],
        row["operation"],
        row["action"],
        row["sub"],
        row["organisation_id"],
        sorted(row["roles"]),
        row["purpose"],
        str(row["child_id"]) if row["child_id"] else None,
        sorted(str(c) for c in row["case_ids"]),
        sorted(row["disclosed"]),
        sorted(row["withheld"]),
        row["bases"],
        sorted(row["flags"]),
        row["details"],
    ]
    if row["policy_version"] is not None:
        record.append(row["policy_version"])
    digest = hashlib.sha256(row["prev_hash"].encode())
    digest.update(b"\n")
    digest.update(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()


async def test_single_child_entries_hash_as_before_and_the_mixed_trail_verifies(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
) -> None:
    await _board(hub, "board-mixed")
    await hub.query(hub.token("polisen-stockholm", "officer"), CHILD, id=str(MISSING_CHILD))
    rows = await db.fetch("SELECT * FROM audit_log ORDER BY seq")
    single = [r for r in rows if not r["child_ids"]]
    assert single
    assert any(r["child_ids"] for r in rows)
    assert all(_legacy_hash(r) == r["hash"] for r in single)  # the trail before stays valid
    assert (await _verify(hub))["ok"] is True


# a compact entry as if another child, or another case, had been read
_FORGERIES: dict[str, Callable[[Any], Any]] = {
    "child_ids": lambda children: [*children[:-1], uuid.uuid4()],
    "case_bytes": lambda packed: packed[:-16] + uuid.uuid4().bytes,
}


@pytest.mark.parametrize("column", sorted(_FORGERIES))
async def test_a_child_or_case_changed_in_a_compact_entry_breaks_the_chain_there(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
    column: str,
) -> None:
    sub = f"board-forged-{column}"
    await _board(hub, sub)
    victim = await db.fetchrow(
        f"SELECT seq, {column} AS stored FROM audit_log WHERE cardinality(child_ids) > 1 "
        "AND sub = $1 ORDER BY seq LIMIT 1",
        sub,
    )
    assert victim is not None
    forged = _FORGERIES[column](victim["stored"])
    await behind_the_hubs_back(
        db, f"UPDATE audit_log SET {column} = $2 WHERE seq = $1", victim["seq"], forged
    )
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == victim["seq"]


async def test_compact_entries_written_before_cases_were_packed_still_read_and_verify(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
) -> None:
    shown = await _board(hub, "board-packed")
    packed = await db.fetchrow(
        "SELECT * FROM audit_log WHERE cardinality(child_ids) > 1 "
        "AND sub = 'board-packed' ORDER BY seq LIMIT 1"
    )
    assert packed is not None
    data = packed["case_bytes"]
    cases = tuple(uuid.UUID(bytes=data[i : i + 16]) for i in range(0, len(data), 16))
    # the same entry as the hub wrote it before migration 0020: its cases a uuid[]
    before = NewAuditEntry(
        kind=AuditKind(packed["kind"]),
        action=packed["action"],
        request_id="written-before-0020",
        trace_id=None,
        operation=packed["operation"],
        sub="board-unpacked",
        organisation_id=packed["organisation_id"],
        roles=tuple(packed["roles"]),
        purpose=packed["purpose"],
        case_ids=cases,
        disclosed=tuple(packed["disclosed"]),
        withheld=tuple(packed["withheld"]),
        bases=dict(packed["bases"]),
        flags=tuple(packed["flags"]),
        policy_version=packed["policy_version"],
        child_ids=tuple(packed["child_ids"]),
        case_counts=tuple(packed["case_counts"]),
    )
    async with db.transaction():
        await repository.append(db, lambda _: [before])
    stored = await db.fetchrow("SELECT * FROM audit_log WHERE sub = 'board-unpacked'")
    assert stored is not None
    assert stored["case_bytes"] is None
    assert list(stored["case_ids"]) == list(cases)

    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    for sub in ("board-packed", "board-unpacked"):  # each child's part, alike
        for child in map(str, packed["child_ids"][:3]):
            log = await hub.query(auditor, LOG, filter={"childId": child, "sub": sub})
            [row] = [edge["node"] for edge in log["auditLog"]["edges"]]
            assert set(row["caseIds"]) == shown[child]
    case = str(cases[-1])
    log = (await hub.query(auditor, LOG, filter={"caseId": case}))["auditLog"]
    assert {edge["node"]["sub"] for edge in log["edges"]} == {"board-packed", "board-unpacked"}
    assert (await _verify(hub))["ok"] is True
