"""Handing a child over: a new placement (`moveChild`), responsibility passing from one
municipality to another (request, then accept or decline), a new god man, and the child
leaving the plan at 18. The sharing follows by itself: the policy reads the child's
responsible municipality, residence and god man from the child's row."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from hub.actor import Actor
from hub.audit.models import AuditKind
from hub.cases import repository as cases
from hub.cases.models import CaseStatus, Outcome
from hub.children import handover_repository as repository
from hub.children.models import Child, Transfer, TransferStatus
from hub.children.service import NO_CHILD, visible_one
from hub.db.session import Db
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox as events
from hub.events.models import EventType, NewEvent
from hub.organisations.models import OrganisationKind
from hub.policy.actions import Action
from hub.routines import service as routines
from hub.validation import past, required_text, text

NO_TRANSFER = "no transfer with this id addressed to or from your municipality"
MAX_TRANSFERS = 100
TURNED_18 = "the child turned 18 and has left the plan"


async def _child(actor: Actor, child_id: uuid.UUID | None, action: Action) -> Child:
    visible = await visible_one(actor, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    actor.policy.authorize(actor.principal, action, visible.row.facts)
    return visible.row


def _event(actor: Actor, kind: EventType, child_id: uuid.UUID, transfer: str = "") -> NewEvent:
    extra = {"transferId": transfer} if transfer else {}
    return NewEvent.by(actor.principal, kind, child_id=child_id, case_id=None, **extra)


async def move_child(
    actor: Actor,
    child_id: uuid.UUID | None,
    residence_id: str | None,
    placement_address: str | None,
    moved_at: datetime,
) -> uuid.UUID:
    """Social services place the child anew; the old residence's open tasks follow."""
    child = await _child(actor, child_id, Action.MOVE_CHILD)
    when = past(moved_at, "movedAt")
    address = text(placement_address, "placementAddress", max_length=500, required=False)
    if residence_id is not None:
        residence = await actor.registry.get(residence_id)
        if residence is None or residence.kind is not OrganisationKind.RESIDENCE:
            raise InvalidInput("residenceId names no residence", field="residenceId")
    elif address is None:
        raise InvalidInput("name a residence or a placement address", field="residenceId")
    await repository.move(
        actor.db,
        child.id,
        residence_id,
        address,
        when,
        child.residence_id,
        child.responsible_municipality_id,
    )
    await events.record(actor.db, [_event(actor, EventType.CHILD_MOVED, child.id)])
    return child.id


async def request_transfer(
    actor: Actor, child_id: uuid.UUID | None, to_municipality_id: str, reason: str
) -> Transfer:
    """The responsible municipality asks another to take the child over."""
    child = await _child(actor, child_id, Action.REQUEST_TRANSFER)
    why = required_text(reason, "reason", max_length=2000)
    target = await actor.registry.get(to_municipality_id)
    if target is None or target.kind is not OrganisationKind.MUNICIPALITY:
        raise InvalidInput("toMunicipalityId names no municipality", field="toMunicipalityId")
    if target.id == child.responsible_municipality_id:
        raise InvalidInput("the child is already that municipality's", field="toMunicipalityId")
    transfer = await repository.request_transfer(
        actor.db, child.id, child.responsible_municipality_id, target.id, why, actor.principal.sub
    )
    await events.record(
        actor.db,
        [_event(actor, EventType.TRANSFER_REQUESTED, child.id, str(transfer.id))],
    )
    return transfer


async def _addressed(actor: Actor, transfer_id: uuid.UUID | None, action: Action) -> Transfer:
    """A waiting transfer addressed to the actor's municipality; any other is NOT_FOUND."""
    actor.policy.authorize(actor.principal, action, None)
    found = await repository.transfer_for_update(actor.db, transfer_id) if transfer_id else None
    if found is None or found.to_municipality_id != actor.principal.organisation_id:
        raise NotFound(NO_TRANSFER)
    if found.status is not TransferStatus.REQUESTED:
        raise Conflict(f"this transfer is already {found.status.value.lower()}")
    return found


async def accept_transfer(actor: Actor, transfer_id: uuid.UUID | None) -> Transfer:
    """The receiving municipality takes the child over: from now the sharing follows it."""
    transfer = await _addressed(actor, transfer_id, Action.ACCEPT_TRANSFER)
    decided = await repository.decide(
        actor.db, transfer, TransferStatus.ACCEPTED, actor.principal.sub, None
    )
    await events.record(
        actor.db,
        [_event(actor, EventType.TRANSFER_ACCEPTED, decided.child_id, str(decided.id))],
    )
    return decided


async def decline_transfer(actor: Actor, transfer_id: uuid.UUID | None, reason: str) -> Transfer:
    transfer = await _addressed(actor, transfer_id, Action.DECLINE_TRANSFER)
    why = required_text(reason, "reason", max_length=2000)
    decided = await repository.decide(
        actor.db, transfer, TransferStatus.DECLINED, actor.principal.sub, why
    )
    await events.record(
        actor.db,
        [
            NewEvent.by(
                actor.principal,
                EventType.TRANSFER_DECLINED,
                child_id=decided.child_id,
                case_id=None,
                reason=why,
                transferId=str(decided.id),
            )
        ],
    )
    return decided


async def transfers_of_children(
    actor: Actor, child_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Transfer]]:
    """Of children the actor already holds as visible."""
    return await repository.transfers_of_children(actor.db, child_ids)


async def transfers(actor: Actor, pending_only: bool) -> list[Transfer]:
    """Transfers from or to the actor's municipality (none for other kinds): the receiving
    municipality learns of a request before it may see the child."""
    if actor.principal.organisation.kind is not OrganisationKind.MUNICIPALITY:
        return []
    found = await repository.transfers_of_municipality(
        actor.db, actor.principal.organisation_id, pending_only, MAX_TRANSFERS
    )
    for transfer in found:  # a transfer names a child and why: a disclosure, recorded
        actor.audit.record(
            AuditKind.READ,
            "transfers",
            child_id=transfer.child_id,
            details={"transferId": str(transfer.id)},
        )
    return found


async def appoint_guardian(
    actor: Actor, child_id: uuid.UUID | None, guardian_sub: str, guardian_name: str | None
) -> uuid.UUID:
    """A new god man: from now they see the child, and the open god man tasks are theirs."""
    child = await _child(actor, child_id, Action.APPOINT_GUARDIAN)
    sub = required_text(guardian_sub, "guardianSub", max_length=200)
    name = text(guardian_name, "guardianName", max_length=200, required=False)
    if sub == child.guardian_sub:
        raise Conflict("this god man is already appointed for the child")
    await repository.set_guardian(actor.db, child.id, child.guardian_sub, sub, name)
    await events.record(actor.db, [_event(actor, EventType.GUARDIAN_APPOINTED, child.id)])
    return child.id


async def leave_plan_at_18(db: Db, today: date) -> list[uuid.UUID]:
    """The scheduler's daily part: every child whose 18th birthday has come leaves the
    plan. Open cases close with outcome TURNED_18, every open task closes as NOT_NEEDED
    (its organisation is told), the god man's appointment and the placement end."""
    left = await repository.coming_of_age(db, today)
    for child_id in left:
        now = datetime.now(UTC)
        for case_id, status in await cases.open_of_child(db, child_id):
            await cases.set_closed(db, case_id, Outcome.TURNED_18, None)
            move = {"from": status.value, "to": CaseStatus.CLOSED.value}
            closed = NewEvent.by(
                None,
                EventType.STATUS_CHANGED,
                child_id=child_id,
                case_id=case_id,
                reason=TURNED_18,
                outcome=Outcome.TURNED_18.value,
                **move,
            )
            await events.record(db, [closed])
            await routines.settle(db, case_id, "TURNED_18", None, closing_reason=TURNED_18)
        await routines.close_for_child(db, child_id, TURNED_18)
        await repository.leave_plan(db, child_id, now)
        await events.record(
            db,
            [NewEvent.by(None, EventType.TURNED_18, child_id=child_id, case_id=None)],
        )
    return left
