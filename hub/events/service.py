"""Rules about case events: acknowledging them, and who has (not) acknowledged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hub.auth.principal import Principal
from hub.cases import service as cases
from hub.cases.models import Case
from hub.consents import repository as consents
from hub.db.session import Session
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox, repository
from hub.events.models import CaseEvent, EventType, NewEvent
from hub.organisations.models import Organisation
from hub.organisations.registry import OrganisationRegistry
from hub.policy.actions import Action
from hub.policy.engine import Policy

NO_CASE = "no case with this id"


@dataclass(frozen=True, slots=True)
class AcknowledgementState:
    event: CaseEvent
    acknowledged: list[tuple[Organisation, datetime]]
    pending: list[Organisation]


def parse_cursor(value: str, field: str) -> int:
    try:
        cursor = int(value)
    except ValueError:
        raise InvalidInput(f"{field} is not an event cursor", field=field) from None
    if cursor <= 0:
        raise InvalidInput(f"{field} is not an event cursor", field=field)
    return cursor


async def acknowledge(
    db: Session, policy: Policy, principal: Principal, case_id: uuid.UUID | None, cursor: str
) -> uuid.UUID:
    event_id = parse_cursor(cursor, "eventCursor")
    visible = await cases.visible_one(db, policy, principal, case_id)
    if visible is None:
        raise NotFound(NO_CASE)
    policy.authorize(principal, Action.ACKNOWLEDGE, visible.row.facts)
    event = await repository.by_id(db, event_id)
    if event is None or event.case_id != visible.row.id:
        raise InvalidInput("this case has no event with that cursor", field="eventCursor")
    if not await repository.acknowledge(db, event_id, principal.organisation_id, principal.sub):
        raise Conflict("your organisation has already acknowledged this event")
    await outbox.record(
        db,
        [
            NewEvent.by(
                principal,
                EventType.ACKNOWLEDGED,
                child_id=event.child_id,
                case_id=event.case_id,
                eventCursor=str(event_id),
            )
        ],
    )
    return visible.row.id


async def acknowledgement_states(
    db: Session,
    policy: Policy,
    registry: OrganisationRegistry,
    principal: Principal,
    case: Case,
) -> list[AcknowledgementState] | None:
    """Per event of the case: who acknowledged, who not yet; None unless allowed to see."""
    if not policy.may(principal, Action.VIEW_ACKNOWLEDGEMENTS, case.facts):
        return None
    events = (await repository.by_cases(db, [case.id]))[case.id]
    acks = (await repository.acknowledgements_by_cases(db, [case.id]))[case.id]
    consented = await consents.active_by_recipient(db, case.child_id)
    entitled = policy.recipients(registry.all(), case.facts, consented)
    states = []
    for event in events:
        if event.type is EventType.ACKNOWLEDGED:
            continue
        done = {a.organisation_id: a.acknowledged_at for a in acks if a.event_id == event.id}
        acknowledged = [(org, done[org.id]) for org in registry.all() if org.id in done]
        pending = [
            org for org in entitled if org.id not in done and org.id != event.actor_organisation_id
        ]
        states.append(AcknowledgementState(event, acknowledged, pending))
    return states
