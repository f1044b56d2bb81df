"""Facts recorded on a case without moving it: Migrationsverket's avviken and its
re-registration after return, sightings, and the police's risk grade and alert
(efterlysning). Each fact is an event, and may complete or make moot a routine's task
(`done_when`, `not_needed_when` in policies/routines.yaml)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from hub.actor import Actor
from hub.cases import repository
from hub.cases.models import (
    AVVIKEN_STATES,
    RETURN_STATES,
    SIGHTING_STATES,
    Case,
    CaseStatus,
    PoliceGrade,
    SightingKind,
)
from hub.cases.repository import NewSighting
from hub.cases.service import case_event, reason_text, visible_for
from hub.errors import Conflict, InvalidInput, InvalidTransition, RateLimited
from hub.events import outbox as events
from hub.events.models import EventType, Person
from hub.policy.actions import Action
from hub.routines import service as routines
from hub.validation import past, phone, required_text, text


def _not_now(
    rule: str, current: CaseStatus, fact: str, allowed: frozenset[CaseStatus]
) -> InvalidTransition:
    """A fact the case's state does not admit, with what does (as a move's refusal)."""
    return InvalidTransition(
        f"{rule}, not in {current.value}",
        **{"from": current.value, "to": fact, "allowed": sorted(s.value for s in allowed)},
    )


async def register_avviken(actor: Actor, case_id: uuid.UUID | None) -> uuid.UUID:
    case = await visible_for(actor, case_id, Action.REGISTER_AVVIKEN)
    locked = await repository.lock(actor.db, case.id)
    if locked.avviken_registered:
        raise Conflict("avviken is already registered for this case")
    if locked.status not in AVVIKEN_STATES:
        raise _not_now(
            "avviken is registered while the child is away",
            locked.status,
            "AVVIKEN_REGISTERED",
            AVVIKEN_STATES,
        )
    await repository.set_avviken(actor.db, case.id, actor.principal.organisation_id)
    await events.record(actor.db, [case_event(actor, EventType.AVVIKEN_REGISTERED, case)])
    await routines.settle(actor.db, case.id, "AVVIKEN_REGISTERED", actor.principal)
    return case.id


# one person, one case: a flood of sightings would bury the real ones
SIGHTINGS = 10
SIGHTING_WINDOW = timedelta(minutes=10)


async def add_sighting(
    actor: Actor,
    case_id: uuid.UUID | None,
    seen_at: datetime,
    place: str,
    note: str | None,
    kind: SightingKind = SightingKind.SEEN,
    callback_phone: str | None = None,
) -> uuid.UUID:
    case = await visible_for(actor, case_id, Action.ADD_SIGHTING)
    new = NewSighting(
        seen_at=past(seen_at, "seenAt"),
        place=required_text(place, "place", max_length=500),
        note=text(note, "note", max_length=4000, required=False),
        kind=kind,
        callback_phone=phone(callback_phone, "callbackPhone"),
    )
    if case.status not in SIGHTING_STATES:
        raise _not_now(
            "sightings are added while the child is away",
            case.status,
            "SIGHTING_ADDED",
            SIGHTING_STATES,
        )
    by = (actor.principal.organisation_id, actor.principal.sub)
    if await repository.recent_sightings(actor.db, case.id, by, SIGHTING_WINDOW) >= SIGHTINGS:
        raise RateLimited(
            f"you have added {SIGHTINGS} sightings to this case in the last "
            f"{SIGHTING_WINDOW.seconds // 60} minutes; add to an earlier one, or wait",
            retryAfter=SIGHTING_WINDOW.seconds,
        )
    person = Person.of(actor.principal)
    sighting = await repository.add_sighting(actor.db, case.id, new, by, person)
    await events.record(
        actor.db, [case_event(actor, EventType.SIGHTING_ADDED, case, sightingId=str(sighting))]
    )
    return case.id


async def _fact(
    actor: Actor, case_id: uuid.UUID | None, action: Action, expected_version: int | None
) -> Case:
    """The case, locked for a fact recorded on it (not a move): open cases only."""
    case = await visible_for(actor, case_id, action)
    locked = await repository.lock(actor.db, case.id)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            f"the case changed since version {expected_version} (now "
            f"{locked.version}); reload and try again"
        )
    if locked.status is CaseStatus.CLOSED:
        raise InvalidTransition(
            "the case is closed", **{"from": "CLOSED", "to": action.value, "allowed": []}
        )
    return case


async def _recorded(
    actor: Actor, case: Case, kind: EventType, fact: str, **payload: object
) -> None:
    await events.record(actor.db, [case_event(actor, kind, case, None, **payload)])
    await routines.settle(actor.db, case.id, fact, actor.principal)


async def record_police_assessment(
    actor: Actor,
    case_id: uuid.UUID | None,
    grade: PoliceGrade,
    rationale: str,
    expected_version: int | None = None,
) -> uuid.UUID:
    """The police's risk grade of a missing child, with the rationale (a new one replaces
    the last; the events keep each)."""
    case = await _fact(actor, case_id, Action.RECORD_POLICE_ASSESSMENT, expected_version)
    why = required_text(rationale, "rationale", max_length=4000)
    person = Person.of(actor.principal)
    await repository.set_police_assessment(actor.db, case.id, grade, why, person)
    await _recorded(actor, case, EventType.POLICE_ASSESSED, "POLICE_ASSESSED", grade=grade.value)
    return case.id


async def record_alert(
    actor: Actor, case_id: uuid.UUID | None, reference: str, issued_at: datetime
) -> uuid.UUID:
    """The police's efterlysning, while the child is away."""
    case = await _fact(actor, case_id, Action.RECORD_ALERT, None)
    ref = required_text(reference, "reference", max_length=100)
    when = past(issued_at, "issuedAt")
    if case.status not in SIGHTING_STATES:
        raise _not_now(
            "an alert is issued while the child is away",
            case.status,
            "ALERT_ISSUED",
            SIGHTING_STATES,
        )
    if case.alert is not None and case.alert.cancelled_at is None:
        raise Conflict("an alert is already out for this case; cancel it first")
    await repository.set_alert(actor.db, case.id, ref, when)
    await _recorded(actor, case, EventType.ALERT_ISSUED, "ALERT_ISSUED")
    return case.id


async def cancel_alert(
    actor: Actor, case_id: uuid.UUID | None, cancelled_at: datetime, reason: str | None
) -> uuid.UUID:
    """The alert is called back; completes the FOUND routine's "cancel alerts"."""
    case = await _fact(actor, case_id, Action.CANCEL_ALERT, None)
    when = past(cancelled_at, "cancelledAt")
    why = reason_text(reason)
    if case.alert is None or case.alert.cancelled_at is not None:
        raise Conflict("no alert is out for this case")
    if when < case.alert.issued_at:
        raise InvalidInput("cancelledAt is before the alert was issued", field="cancelledAt")
    await repository.cancel_alert(actor.db, case.id, when, why)
    await events.record(actor.db, [case_event(actor, EventType.ALERT_CANCELLED, case, why)])
    await routines.settle(actor.db, case.id, "ALERT_CANCELLED", actor.principal)
    return case.id


async def register_return(actor: Actor, case_id: uuid.UUID | None) -> uuid.UUID:
    """Migrationsverket re-registers the child who came back (after avviken)."""
    case = await visible_for(actor, case_id, Action.REGISTER_RETURN)
    locked = await repository.lock(actor.db, case.id)
    if not locked.avviken_registered:
        raise Conflict("avviken was never registered for this case: nothing to re-register")
    if locked.status not in RETURN_STATES:
        raise _not_now(
            "a return is registered once the child is found",
            locked.status,
            "RETURN_REGISTERED",
            RETURN_STATES,
        )
    if case.registered_returned_at is not None:
        raise Conflict("the return is already registered")
    await repository.set_returned(actor.db, case.id, actor.principal.organisation_id)
    await _recorded(actor, case, EventType.RETURN_REGISTERED, "RETURN_REGISTERED")
    return case.id
