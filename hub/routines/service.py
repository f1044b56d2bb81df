"""Rules about tasks: which a trigger creates, for whom, and who may complete them."""

from __future__ import annotations

import uuid
from datetime import datetime

from hub.actor import Actor
from hub.audit.refusals import refuse_cursor
from hub.auth.principal import Principal
from hub.db.paging import PageRequest
from hub.db.session import Db
from hub.errors import Conflict, NotFound
from hub.events import outbox as events
from hub.events.models import EventType, NewEvent
from hub.policy.actions import Action
from hub.policy.facts import RowFacts
from hub.routines import repository
from hub.routines.config import Routines
from hub.routines.models import NewTask, Task, TaskStatus, TaskTemplate, Trigger
from hub.routines.repository import Escalated

NO_TASK = "no task with this id among your organisation's tasks"


def responsible_for(
    routines: Routines, template: TaskTemplate, facts: RowFacts
) -> tuple[str, str | None]:
    """The organisation holding a new task, and the one person in it where the task is
    a person's (the god man's)."""
    if template.responsible == "responsible_municipality":
        return facts.responsible_municipality_id, None
    if template.responsible == "residence":
        # a child without a residence: its social services do the residence's part
        return facts.residence_id or facts.responsible_municipality_id, None
    if template.responsible == "guardian":
        if facts.guardian_sub is None or routines.guardianship is None:
            return facts.responsible_municipality_id, None  # no god man: social services
        return routines.guardianship, facts.guardian_sub
    return template.responsible, None


def _event(task: Task, kind: EventType, principal: Principal | None) -> NewEvent:
    return NewEvent.by(
        principal,
        kind,
        child_id=task.child_id,
        case_id=task.case_id,
        reason=task.closed_reason if kind is EventType.TASK_NOT_NEEDED else None,
        taskId=str(task.id),
        routine=task.routine,
        responsible=task.responsible_organisation_id,
    )


async def start(
    db: Db,
    routines: Routines,
    trigger: Trigger,
    *,
    child_id: uuid.UUID,
    case_id: uuid.UUID | None,
    facts: RowFacts,
    at: datetime,
    principal: Principal | None,
) -> list[Task]:
    """Create the trigger's tasks and their TASK_CREATED events."""
    created = await repository.insert_many(
        db,
        [
            NewTask(
                child_id=child_id,
                case_id=case_id,
                template=t,
                responsible_organisation_id=org,
                responsible_sub=sub,
                created_at=at,
            )
            for t in routines.get(trigger)
            for org, sub in [responsible_for(routines, t, facts)]
        ],
    )
    await events.record(db, [_event(t, EventType.TASK_CREATED, principal) for t in created])
    return created


async def settle(
    db: Db,
    case_id: uuid.UUID,
    fact: str,
    principal: Principal | None,
    *,
    closing_reason: str | None = None,
) -> None:
    """Complete the tasks that `fact` (a new state or a recorded fact) fulfils, close as
    NOT_NEEDED those it makes moot; on closing the case, close every open task with
    `closing_reason`. Each closed task is an event its organisation receives."""
    by = (principal.sub, principal.organisation_id) if principal else None
    sub, org = by or (None, None)
    done = await repository.complete_done_when(db, case_id, fact, sub, org)
    moot = await repository.not_needed_when(db, case_id, fact, f"not needed once {fact}", by)
    if closing_reason is not None:
        moot += await repository.close_open(db, case_id, closing_reason, by)
    await events.record(
        db,
        [_event(t, EventType.TASK_COMPLETED, principal) for t in done]
        + [_event(t, EventType.TASK_NOT_NEEDED, principal) for t in moot],
    )


async def close_for_child(db: Db, child_id: uuid.UUID, reason: str) -> list[Task]:
    """Every open task of the child, closed as NOT_NEEDED (the child left the plan)."""
    closed = await repository.close_open_of_child(db, child_id, reason)
    await events.record(db, [_event(t, EventType.TASK_NOT_NEEDED, None) for t in closed])
    return closed


async def others_with_open_tasks(db: Db, case_id: uuid.UUID, organisation_id: str) -> list[str]:
    return await repository.open_of_others(db, case_id, organisation_id)


async def of_cases(actor: Actor, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Task]]:
    """Tasks of cases the actor already holds as visible."""
    return await repository.by_cases(actor.db, case_ids)


async def complete(actor: Actor, task_id: uuid.UUID | None) -> Task:
    actor.policy.authorize(actor.principal, Action.COMPLETE_TASK, None)
    task = await repository.get_for_update(actor.db, task_id) if task_id else None
    mine = task is not None and task.responsible_organisation_id == actor.principal.organisation_id
    if task is None or not mine or task.responsible_sub not in (None, actor.principal.sub):
        raise NotFound(NO_TASK)
    if task.status is not TaskStatus.OPEN:
        raise Conflict(f"this task is already {task.status.value.lower()}")
    done = await repository.complete(
        actor.db, task.id, actor.principal.sub, actor.principal.organisation_id
    )
    await events.record(actor.db, [_event(done, EventType.TASK_COMPLETED, actor.principal)])
    return done


async def mine(actor: Actor, overdue_only: bool, request: PageRequest) -> tuple[list[Task], int]:
    """The open tasks of the caller's organisation (actions.csv: myTasks, of any kind and
    relation; never an auditor's or a role-less token's)."""
    actor.policy.authorize(actor.principal, Action.MY_TASKS, None)
    org, sub = actor.principal.organisation_id, actor.principal.sub
    if request.after is not None and not await repository.is_mine(
        actor.db, org, sub, request.after
    ):
        raise refuse_cursor("myTasks")
    return await repository.mine(actor.db, org, sub, overdue_only, request)


async def sweep(db: Db) -> tuple[list[Task], list[Task]]:
    """Mark tasks that became due or overdue and emit their events (the scheduler's tick)."""
    due = await repository.mark_due(db)
    overdue = await repository.mark_overdue(db)
    await events.record(
        db,
        [_event(t, EventType.TASK_DUE, None) for t in due]
        + [_event(t, EventType.TASK_OVERDUE, None) for t in overdue],
    )
    return due, overdue


MAX_STEPS = 10  # the longest ladder one sweep climbs


async def escalate(db: Db, now: datetime) -> list[Escalated]:
    """Every open task past the next step of its ladder climbs it: a TASK_ESCALATED event
    naming whom it now reaches (the notifier tells them: inbox, and e-mail for on_call)."""
    climbed: list[Escalated] = []
    for _ in range(MAX_STEPS):  # every step due by now, so a hub that was down catches up
        batch = await repository.escalate(db, now)
        if not batch:
            break
        climbed += batch
    await events.record(
        db,
        [
            NewEvent.by(
                None,
                EventType.TASK_ESCALATED,
                child_id=e.task.child_id,
                case_id=e.task.case_id,
                taskId=str(e.task.id),
                routine=e.task.routine,
                responsible=e.task.responsible_organisation_id,
                step=e.step,
                to=e.to,
                via=e.target,
            )
            for e in climbed
        ],
    )
    return climbed
