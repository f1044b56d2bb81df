"""The records of one answer handed to many parked members at once (`Handed`) are exactly
what each member's own recorder makes of the answer it adopted: the same entries, merged
the same way, whoever the members are."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.audit.handed import Handed
from hub.audit.models import AuditKind, NewAuditEntry
from hub.audit.recipients import merged
from hub.audit.recorder import AuditPolicy, Delivered, Recorder, Shared
from hub.policy.categories import DataCategory
from hub.policy.view import RowView
from tests.audit.helpers import MISSING_CASE, MISSING_CHILD
from tests.services import Services

SEEN = frozenset({DataCategory.CASE_STATUS, DataCategory.DESCRIPTION, DataCategory.IDENTITY})
EVENT = {"eventId": 4713, "event": "STATUS_CHANGED"}


async def _subscription(
    services: Services, org: str, role: str, sub: str, **options: object
) -> Recorder:
    """A parked member's empty record of its subscription."""
    principal = await services.principal(org, role, sub=sub)
    found = Recorder(
        principal,
        kind=AuditKind.DELIVERY,
        request_id=f"r-{sub}",
        policy=AuditPolicy(),
        **options,  # type: ignore[arg-type]
    )
    found.operation, found.action = "Board", "caseEvents"
    return found


def _own(members: list[Recorder], shared: Shared, at: datetime) -> list[NewAuditEntry]:
    """What the members' own recorders make of the answer, one after another."""
    batch: list[NewAuditEntry | Delivered] = []
    for member in members:
        audit = member.sibling()
        audit.details = dict(EVENT)
        audit.adopt(shared)
        batch += audit.batched(at)
    return merged(batch)


async def test_an_answer_handed_to_many_is_recorded_as_each_members_recorder_would(
    services: Services,
) -> None:
    view = RowView(allowed=SEEN, bases=dict.fromkeys(SEEN, "matrix"))
    leader = await _subscription(services, "polisen-stockholm", "officer", "officer-0")
    leader.disclosed("Case", SEEN, view, child_id=MISSING_CHILD, case_id=MISSING_CASE)
    shared = Shared(leader.disclosures())
    members = [
        await _subscription(services, "polisen-stockholm", "officer", f"officer-{n}")
        for n in range(1, 4)
    ]
    members.insert(  # an entry of its own: it sent its own X-Request-Id
        2,
        await _subscription(
            services, "polisen-stockholm", "officer", "officer-9", client_request_id="board-9"
        ),
    )
    for org, sub in (("stadsmissionen", "sm-1"), ("radda-barnen", "rb-1")):  # one role, two orgs
        members.append(await _subscription(services, org, "staff", sub))
    members.append(  # records nothing (the benchmark's runs without audit)
        await _subscription(services, "polisen-stockholm", "officer", "officer-off", enabled=False)
    )
    for at in (datetime(2026, 12, 3, 10, tzinfo=UTC), datetime(2026, 12, 3, 22, tzinfo=UTC)):
        handed = Handed(shared, dict(EVENT))
        for member in members:
            handed.add(member)
        assert handed.pending
        entries = merged(handed.batched(at))
        assert entries == _own(members, shared, at)
        assert not handed.pending  # written once
        recipients = [r for e in entries for r in (e.recipients or (e.sub,))]
        assert sorted(recipients) == sorted(
            ["officer-1", "officer-2", "officer-3", "officer-9", "sm-1", "rb-1"]
        )


async def test_an_answer_handed_to_nobody_records_nothing(services: Services) -> None:
    view = RowView(allowed=SEEN, bases=dict.fromkeys(SEEN, "matrix"))
    leader = await _subscription(services, "polisen-stockholm", "officer", "officer-0")
    leader.disclosed("Case", SEEN, view, child_id=MISSING_CHILD, case_id=MISSING_CASE)
    handed = Handed(Shared(leader.disclosures()), dict(EVENT))
    handed.add(await _subscription(services, "polisen-stockholm", "officer", "off", enabled=False))
    assert not handed.pending
    assert handed.entries(datetime(2026, 12, 3, 10, tzinfo=UTC)) == []
