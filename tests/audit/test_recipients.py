"""One entry per cohort delivery: the deliveries of one view of one event to several people,
when they meet in one group commit, are one chained entry naming every recipient; auditors
still read a row per person, and the chain covers who the recipients were, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import asyncpg

from hub.audit import repository
from hub.audit.models import AuditFlag, AuditKind, NewAuditEntry
from hub.audit.recipients import merged
from hub.audit.recorder import AuditPolicy, Delivered, Recorder, Shared
from hub.policy.categories import DataCategory
from hub.policy.view import RowView
from tests.audit.helpers import CLOSED_CHILD, MISSING_CASE, MISSING_CHILD, behind_the_hubs_back
from tests.audit.test_chain import _verify, hub  # noqa: F401 - the fixture, as the chain's
from tests.conftest import RunningHub
from tests.services import Services

SEEN = frozenset({DataCategory.CASE_STATUS, DataCategory.DESCRIPTION, DataCategory.IDENTITY})

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
    await behind_the_hubs_back(
        db,
        "UPDATE audit_log SET recipients = '{officer-0,officer-2,officer-1}' WHERE seq = $1",
        seq,
    )
    result = await _verify(hub)
    assert result["ok"] is False
    assert result["firstBrokenId"] == seq


async def test_members_that_adopt_an_answer_record_what_its_leader_recorded(
    services: Services,
) -> None:
    """A cohort's answer is compacted into entries once for all who adopt it; each member's
    entries are the leader's but for who they are, and a member that had recorded something
    of its own keeps it beside the answer."""
    at = datetime(2026, 12, 2, 21, 30, tzinfo=UTC)  # off hours: a flag every entry carries
    view = RowView(
        allowed=frozenset({DataCategory.CASE_STATUS, DataCategory.DESCRIPTION}),
        bases={DataCategory.CASE_STATUS: "matrix", DataCategory.DESCRIPTION: "matrix"},
    )

    async def recorder(sub: str) -> Recorder:
        return await _officer(services, sub, {"eventId": 4711, "event": "STATUS_CHANGED"})

    leader = await recorder("officer-0")
    leader.disclosed("Case", SEEN, view, child_id=MISSING_CHILD, case_id=MISSING_CASE)
    shared = Shared(leader.disclosures())
    members = [await recorder(f"officer-{n}") for n in (1, 2)]
    for member in members:
        member.adopt(shared)
    own = leader.entries(at)
    assert own
    assert all(AuditFlag.OFF_HOURS.value in e.flags for e in own)
    for member in members:
        assert [
            replace(e, sub="officer-0", request_id="r-officer-0") for e in member.entries(at)
        ] == own
        assert not member.pending  # handed out once
    later = await recorder("officer-4")  # in office hours: the flags are the entry's own
    later.adopt(shared)
    assert all(not e.flags for e in later.entries(datetime(2026, 12, 2, 9, tzinfo=UTC)))
    bulk = await recorder("officer-5")  # the children of the answer count as its own
    bulk.policy = AuditPolicy(bulk_children=0)
    bulk.adopt(shared)
    assert all(AuditFlag.BULK.value in e.flags for e in bulk.entries(at))

    both = await recorder("officer-3")
    both.disclosed("Child", SEEN | {DataCategory.HEALTH}, view, child_id=CLOSED_CHILD)
    both.adopt(shared)
    covered = {c for e in both.entries(at) for c in (e.child_id, *e.child_ids) if c}
    assert covered == {MISSING_CHILD, CLOSED_CHILD}


async def test_a_cohorts_recipients_in_one_commit_are_one_entry_made_once(
    services: Services,
) -> None:
    """Members that adopted one answer hand the group commit the same entry object, each
    with who they are; merged with the leader's own entry of the same view, in arrival
    order, under the first one's request id."""
    at = datetime(2026, 12, 2, 10, tzinfo=UTC)
    view = RowView(allowed=SEEN, bases=dict.fromkeys(SEEN, "matrix"))

    async def recorder(sub: str) -> Recorder:
        return await _officer(services, sub, {"eventId": 4712, "event": "SIGHTING_ADDED"})

    leader = await recorder("officer-0")
    leader.disclosed("Case", SEEN, view, child_id=MISSING_CHILD, case_id=MISSING_CASE)
    shared = Shared(leader.disclosures())
    members = [await recorder(f"officer-{n}") for n in (1, 2, 3)]
    batch: list[NewAuditEntry | Delivered] = list(leader.batched(at))
    for member in members:
        member.adopt(shared)
        batch += member.batched(at)
    made = {id(item.entry) for item in batch if isinstance(item, Delivered)}
    assert len(made) == 1  # the members' entry was made once
    (entry,) = merged(batch)
    assert entry.recipients == ("officer-0", "officer-1", "officer-2", "officer-3")
    assert entry.sub is None
    assert entry.request_id == "r-officer-0"
    # a member alone in its commit: an entry of its own, as before
    assert merged(batch[1:2]) == [
        replace(entry, sub="officer-1", request_id="r-officer-1", recipients=())
    ]


async def _officer(services: Services, sub: str, details: dict[str, object]) -> Recorder:
    """The recorder of one officer's delivery of one event."""
    principal = await services.principal("polisen-stockholm", "officer", sub=sub)
    found = Recorder(
        principal, kind=AuditKind.DELIVERY, request_id=f"r-{sub}", policy=AuditPolicy()
    )
    found.details = details
    return found
