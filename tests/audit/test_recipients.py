"""One entry per cohort delivery: the deliveries of one view of one event to several people,
when they meet in one group commit, are one chained entry naming every recipient; auditors
still read a row per person, and the chain covers who the recipients were, in order."""

from __future__ import annotations

from dataclasses import replace

import asyncpg

from hub.audit import repository
from hub.audit.models import AuditKind, NewAuditEntry
from hub.audit.recipients import merged
from tests.audit.helpers import MISSING_CASE, MISSING_CHILD
from tests.audit.test_chain import _verify, hub  # noqa: F401 - the fixture, as the chain's
from tests.conftest import RunningHub

LOG = """query($filter: AuditFilterInput) { auditLog(filter: $filter, first: 100) {
    totalCount edges { cursor node { seq sub childId caseIds disclosed kind } } } }"""
REPORT = """query($id: ID!) { accessReport(childId: $id) { sub accesses categories } }"""


def _delivery(
    sub: str, *, disclosed: tuple[str, ...] = ("CASE_STATUS", "DESCRIPTION")
) -> NewAuditEntry:
    return NewAuditEntry(
        kind=AuditKind.DELIVERY,
        action="caseEvents",
        request_id=f"connection-of-{sub}",
        trace_id=None,
        operation="Live",
        sub=sub,
        organisation_id="polisen-stockholm",
        roles=("officer",),
        purpose="protection",
        child_id=MISSING_CHILD,
        case_ids=(MISSING_CASE,),
        disclosed=disclosed,
        bases={c: "sharing matrix" for c in disclosed},
        details={"eventId": 4711, "event": "STATUS_CHANGED"},
        policy_version="test",
    )


def test_deliveries_of_one_view_to_several_people_become_one_entry_naming_them() -> None:
    others = replace(_delivery("officer-9"), organisation_id="migrationsverket")
    narrower = _delivery("officer-8", disclosed=("CASE_STATUS",))
    read = replace(_delivery("officer-7"), kind=AuditKind.READ)
    entries = [_delivery("officer-0"), others, _delivery("officer-1"), narrower, read]
    entries.append(_delivery("officer-2"))

    found = merged(entries)

    assert found[0].recipients == ("officer-0", "officer-1", "officer-2")
    assert found[0].sub is None
    assert found[0].request_id == "connection-of-officer-0"  # the first record's
    assert found[1:] == [others, narrower, read]  # another view, or no delivery: as they were


def test_a_delivery_to_one_person_stays_an_entry_of_its_own() -> None:
    alone = _delivery("officer-0")
    assert merged([alone]) == [alone]


async def _append(db: asyncpg.Connection, entries: list[NewAuditEntry]) -> None:
    async with db.transaction():
        await repository.append(db, lambda _: merged(entries))


async def test_each_recipient_keeps_their_own_row_and_the_chain_verifies(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
) -> None:
    await _append(db, [_delivery(f"officer-{n}") for n in range(3)])
    [entry] = await db.fetch("SELECT * FROM audit_log WHERE cardinality(recipients) > 0")
    assert entry["sub"] is None
    assert list(entry["recipients"]) == ["officer-0", "officer-1", "officer-2"]

    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    for n in range(3):
        log = (await hub.query(auditor, LOG, filter={"sub": f"officer-{n}"}))["auditLog"]
        [row] = [edge["node"] for edge in log["edges"] if edge["node"]["kind"] == "DELIVERY"]
        assert row["seq"] == entry["seq"]
        assert row["childId"] == str(MISSING_CHILD)
        assert row["caseIds"] == [str(MISSING_CASE)]
    child = {"childId": str(MISSING_CHILD), "kind": "DELIVERY"}
    log = (await hub.query(auditor, LOG, filter=child))["auditLog"]
    subs = [edge["node"]["sub"] for edge in log["edges"] if edge["node"]["seq"] == entry["seq"]]
    assert sorted(subs) == ["officer-0", "officer-1", "officer-2"]
    assert len({edge["cursor"] for edge in log["edges"]}) == len(log["edges"])
    report = (await hub.query(auditor, REPORT, id=str(MISSING_CHILD)))["accessReport"]
    for n in range(3):
        [person] = [r for r in report if r["sub"] == f"officer-{n}"]
        assert person["accesses"] == 1
        assert "DESCRIPTION" in person["categories"]
    assert (await _verify(hub))["ok"] is True


async def test_a_recipient_swapped_in_an_entry_breaks_the_chain_there(
    hub: RunningHub,  # noqa: F811
    db: asyncpg.Connection,
) -> None:
    await _append(db, [_delivery(f"officer-{n}") for n in range(3)])
    seq = await db.fetchval("SELECT seq FROM audit_log WHERE cardinality(recipients) > 0")
    async with db.transaction():
        await db.execute("SET LOCAL session_replication_role = replica")  # skip the trigger
        await db.execute(
            "UPDATE audit_log SET recipients = '{officer-0,officer-2,officer-1}' WHERE seq = $1",
            seq,
        )
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == seq
