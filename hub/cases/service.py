"""Cases: the reads (what the actor may see) and the commands of the county plan.

Each command finds the case as the actor sees it (a hidden case is NOT_FOUND), asks the
policy whether the actor may act, validates, locks the row, checks the state machine
(`models.MOVES`), writes the change with its events (the outbox), and runs the routines:
the tasks a new state creates and the ones it completes. No SQL (the repository) and no
GraphQL (the schema) here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hub.actor import Actor
from hub.audit.refusals import refuse_cursor
from hub.cases import repository
from hub.cases.models import (
    Case,
    CaseFilter,
    CaseStatus,
    Outcome,
    Sighting,
    check_move,
)
from hub.children import service as children
from hub.db.paging import PageRequest
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox as events
from hub.events.models import EventType, NewEvent
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.scope import RowScope
from hub.policy.visible import Visible
from hub.routines import service as routines
from hub.routines.models import Trigger
from hub.validation import past, required_text, text


def _scope(actor: Actor) -> RowScope:
    """A case shows only where its CASE_STATUS may be read (a consent that covers only
    the description shows the child, never that a case exists)."""
    return actor.policy.scope(actor.principal).for_category(DataCategory.CASE_STATUS)


def _visible(actor: Actor, case: Case) -> Visible[Case]:
    return Visible(case, actor.policy.view(actor.principal, case.facts))


async def visible_by_ids(actor: Actor, ids: list[uuid.UUID]) -> dict[uuid.UUID, Visible[Case]]:
    found = await repository.by_ids(actor.db, _scope(actor), ids)
    return {i: _visible(actor, c) for i, c in found.items()}


async def visible_by_children(
    actor: Actor, child_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Visible[Case]]]:
    found = await repository.by_children(actor.db, _scope(actor), child_ids)
    return {i: [_visible(actor, c) for c in cs] for i, cs in found.items()}


async def page(
    actor: Actor, where: CaseFilter, request: PageRequest
) -> tuple[list[Visible[Case]], int]:
    scope = _scope(actor)
    if request.after is not None and not await repository.by_ids(actor.db, scope, [request.after]):
        raise refuse_cursor("cases")
    rows, total = await repository.page(actor.db, scope, where, request)
    return [_visible(actor, c) for c in rows], total


async def sightings(actor: Actor, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Sighting]]:
    """Sightings of cases the actor already holds as visible."""
    return await repository.sightings_by_cases(actor.db, case_ids)


async def visible_one(actor: Actor, case_id: uuid.UUID | None) -> Visible[Case] | None:
    """One case as the actor may see it; None when absent, hidden, or no id at all."""
    if case_id is None:
        return None
    return (await visible_by_ids(actor, [case_id])).get(case_id)


NO_CASE = "no case with this id"
NO_CHILD = "no child with this id"


def case_event(
    actor: Actor, kind: EventType, case: Case, reason: str | None = None, **payload: object
) -> NewEvent:
    return NewEvent.by(
        actor.principal, kind, child_id=case.child_id, case_id=case.id, reason=reason, **payload
    )


def reason_text(value: str | None, *, required: bool = False) -> str | None:
    return text(value, "reason", max_length=2000, required=required)


async def visible_for(actor: Actor, case_id: uuid.UUID | None, action: Action) -> Case:
    visible = await visible_one(actor, case_id)
    if visible is None:
        raise NotFound(NO_CASE)
    actor.policy.authorize(actor.principal, action, visible.row.facts)
    return visible.row


async def _move(
    actor: Actor, case: Case, to: CaseStatus, expected_version: int | None
) -> CaseStatus:
    """Lock the case and check the move; the state it moves from."""
    locked = await repository.lock(actor.db, case.id)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            f"the case changed since version {expected_version} (now "
            f"{locked.version}); reload and try again"
        )
    check_move(locked.status, to)
    return locked.status


async def _after_move(
    actor: Actor,
    case: Case,
    came_from: CaseStatus,
    to: CaseStatus,
    reason: str | None,
    **payload: object,
) -> None:
    """The move's event, then the routines: what the new state completes or makes moot,
    and the new state's tasks (minus those the case's facts already make moot)."""
    move = {"from": came_from.value, "to": to.value}
    await events.record(
        actor.db, [case_event(actor, EventType.STATUS_CHANGED, case, reason, **move, **payload)]
    )
    closing = (reason or "the case was closed") if to is CaseStatus.CLOSED else None
    await routines.settle(actor.db, case.id, to.value, actor.principal, closing_reason=closing)
    if to.value not in Trigger.__members__:
        return
    await routines.start(
        actor.db,
        actor.routines,
        Trigger(to.value),
        child_id=case.child_id,
        case_id=case.id,
        facts=case.facts,
        at=datetime.now(UTC),
        principal=actor.principal,
    )
    for fact in _absent_facts(case):
        await routines.settle(actor.db, case.id, fact, actor.principal)


def _absent_facts(case: Case) -> list[str]:
    """What the case never had, as facts a routine's task may be moot on."""
    facts = []
    if case.alert is None or case.alert.cancelled_at is not None:
        facts.append("NO_ACTIVE_ALERT")
    if case.registered_avviken_at is None:
        facts.append("NO_AVVIKEN")
    return facts


async def report_absent(
    actor: Actor,
    child_id: uuid.UUID | None,
    last_seen_at: datetime,
    last_seen_place: str,
    circumstances: str | None,
) -> uuid.UUID:
    visible = await children.visible_one(actor, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    child = visible.row
    actor.policy.authorize(actor.principal, Action.REPORT_ABSENT, child.facts)
    seen_at = past(last_seen_at, "lastSeenAt")
    place = required_text(last_seen_place, "lastSeenPlace", max_length=500)
    how = text(circumstances, "circumstances", max_length=4000, required=False)
    case_id = await repository.open_case(
        actor.db, child.id, actor.principal.organisation_id, seen_at, place, how
    )
    await events.record(
        actor.db,
        [
            NewEvent.by(
                actor.principal,
                EventType.CASE_OPENED,
                child_id=child.id,
                case_id=case_id,
                status=CaseStatus.ABSENT.value,
            )
        ],
    )
    await routines.start(
        actor.db,
        actor.routines,
        Trigger.ABSENT,
        child_id=child.id,
        case_id=case_id,
        facts=child.facts,
        at=datetime.now(UTC),
        principal=actor.principal,
    )
    return case_id


async def report_missing(
    actor: Actor,
    case_id: uuid.UUID | None,
    report_number: str,
    expected_version: int | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    case = await visible_for(actor, case_id, Action.REPORT_MISSING_TO_POLICE)
    number = required_text(report_number, "policeReportNumber", max_length=40)
    why = reason_text(reason)
    came_from = await _move(actor, case, CaseStatus.REPORTED_MISSING, expected_version)
    await repository.set_reported_missing(
        actor.db, case.id, number, actor.principal.organisation_id
    )
    await _after_move(actor, case, came_from, CaseStatus.REPORTED_MISSING, why)
    return case.id


async def report_found(
    actor: Actor,
    case_id: uuid.UUID | None,
    found_at: datetime,
    place: str,
    expected_version: int | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    case = await visible_for(actor, case_id, Action.REPORT_FOUND)
    when = past(found_at, "foundAt")
    where = required_text(place, "place", max_length=500)
    why = reason_text(reason)
    came_from = await _move(actor, case, CaseStatus.FOUND, expected_version)
    await repository.set_found(actor.db, case.id, when, where, actor.principal.organisation_id)
    await _after_move(actor, case, came_from, CaseStatus.FOUND, why)
    return case.id


async def record_return_interview(
    actor: Actor,
    case_id: uuid.UUID | None,
    summary: str,
    expected_version: int | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    case = await visible_for(actor, case_id, Action.RECORD_RETURN_INTERVIEW)
    cleaned = required_text(summary, "summary", max_length=10_000)
    why = reason_text(reason)
    came_from = await _move(actor, case, CaseStatus.FOLLOW_UP, expected_version)
    await repository.set_return_interview(
        actor.db, case.id, cleaned, actor.principal.organisation_id
    )
    await _after_move(actor, case, came_from, CaseStatus.FOLLOW_UP, why)
    return case.id


async def close_case(
    actor: Actor,
    case_id: uuid.UUID | None,
    outcome: Outcome,
    expected_version: int | None = None,
    reason: str | None = None,
) -> uuid.UUID:
    """Close the case; its open tasks close as NOT_NEEDED with the reason. Closing over
    other organisations' open tasks needs a reason: they are told, with it."""
    case = await visible_for(actor, case_id, Action.CLOSE_CASE)
    why = reason_text(reason)
    came_from = await _move(actor, case, CaseStatus.CLOSED, expected_version)
    others = await routines.others_with_open_tasks(
        actor.db, case.id, actor.principal.organisation_id
    )
    if others and why is None:
        raise InvalidInput(
            "other organisations still hold open tasks in this case; give the reason they "
            "will be told",
            field="reason",
            organisations=others,
        )
    await repository.set_closed(actor.db, case.id, outcome, actor.principal.organisation_id)
    await _after_move(actor, case, came_from, CaseStatus.CLOSED, why, outcome=outcome.value)
    return case.id
