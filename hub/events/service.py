"""Rules about case events: acknowledging them, and who has (not) acknowledged."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hub.actor import Actor
from hub.cases import service as cases
from hub.cases.models import Case
from hub.consents import repository as consents
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox, repository
from hub.events.models import CaseEvent, EventType, NewEvent
from hub.events.repository import Notification
from hub.organisations.models import Organisation
from hub.policy.actions import Action

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


async def of_cases(actor: Actor, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[CaseEvent]]:
    """Events of cases the actor already holds as visible."""
    return await repository.by_cases(actor.db, case_ids)


async def acknowledge(actor: Actor, case_id: uuid.UUID | None, cursor: str) -> uuid.UUID:
    event_id = parse_cursor(cursor, "eventCursor")
    visible = await cases.visible_one(actor, case_id)
    if visible is None:
        raise NotFound(NO_CASE)
    actor.policy.authorize(actor.principal, Action.ACKNOWLEDGE, visible.row.facts)
    event = await repository.by_id(actor.db, event_id)
    if event is None or event.case_id != visible.row.id:
        raise InvalidInput("this case has no event with that cursor", field="eventCursor")
    if event.type.value not in actor.routines.acknowledge:
        raise InvalidInput(
            f"{event.type.value} events need no acknowledgement", field="eventCursor"
        )
    if not await repository.acknowledge(
        actor.db, event_id, actor.principal.organisation_id, actor.principal.sub
    ):
        raise Conflict("your organisation has already acknowledged this event")
    await outbox.record(
        actor.db,
        [
            NewEvent.by(
                actor.principal,
                EventType.ACKNOWLEDGED,
                child_id=event.child_id,
                case_id=event.case_id,
                eventCursor=str(event_id),
            )
        ],
    )
    return visible.row.id


async def acknowledged_by_caller(actor: Actor, event_ids: list[int]) -> set[int]:
    """Which of these events (of cases the caller sees) its own organisation has
    acknowledged: its own doing, so no more than seeing the events is needed."""
    return await repository.acknowledged_by(actor.db, event_ids, actor.principal.organisation_id)


async def acknowledgement_states(
    actor: Actor,
    case: Case,
) -> list[AcknowledgementState] | None:
    """Per event of the case: who acknowledged, who not yet; None unless allowed to see."""
    if not actor.policy.may(actor.principal, Action.VIEW_ACKNOWLEDGEMENTS, case.facts):
        return None
    events = (await repository.by_cases(actor.db, [case.id]))[case.id]
    acks = (await repository.acknowledgements_by_cases(actor.db, [case.id]))[case.id]
    consented = await consents.active_by_recipient(actor.db, case.child_id)
    entitled = actor.policy.recipients(actor.registry.all(), case.facts, consented)
    states = []
    for event in events:
        if event.type.value not in actor.routines.acknowledge:
            continue
        done = {a.organisation_id: a.acknowledged_at for a in acks if a.event_id == event.id}
        acknowledged = [(org, done[org.id]) for org in actor.registry.all() if org.id in done]
        pending = [
            org for org in entitled if org.id not in done and org.id != event.actor_organisation_id
        ]
        states.append(AcknowledgementState(event, acknowledged, pending))
    return states


MAX_INBOX = 100


async def my_notifications(
    actor: Actor, before: int | None, unread_only: bool, limit: int
) -> tuple[list[Notification], int]:
    """The person's inbox, newest first, and how many are unread: the organisation's
    notices and the person's own (a god man's task), never another person's."""
    actor.policy.authorize(actor.principal, Action.MY_NOTIFICATIONS, None)
    if not 0 <= limit <= MAX_INBOX:
        raise InvalidInput(f"first must be between 0 and {MAX_INBOX}", field="first")
    by = (actor.principal.organisation_id, actor.principal.sub)
    found = await repository.inbox(actor.db, by, before, unread_only, limit)
    return found, await repository.unread(actor.db, by)


async def mark_read(actor: Actor, ids: list[int]) -> None:
    actor.policy.authorize(actor.principal, Action.MARK_NOTIFICATIONS_READ, None)
    if len(ids) > MAX_INBOX:
        raise InvalidInput(f"at most {MAX_INBOX} ids at once", field="ids")
    await repository.mark_read(
        actor.db, (actor.principal.organisation_id, actor.principal.sub), ids
    )
