"""All SQL about tasks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from hub.db.paging import PageRequest
from hub.db.session import Db
from hub.routines.models import NewTask, Task, TaskStatus

_COLUMNS = """id, child_id, case_id, routine, title, responsible_organisation_id, created_at,
    due_at, status, completed_at, closed_reason, responsible_sub"""
_INSERT = f"""
INSERT INTO tasks (child_id, case_id, routine, title, responsible_organisation_id, created_at,
    due_soon_at, due_at, done_when, responsible_sub, not_needed_when, escalation)
SELECT ch, k, r, t, o, c, ds, d, dw, rs, string_to_array(nn, ' '), e::jsonb
  FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[],
    $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[], $11::text[],
    $12::text[])
    AS n(ch, k, r, t, o, c, ds, d, dw, rs, nn, e)
RETURNING {_COLUMNS}
"""
# A task is the organisation's, or, where it names a person (the god man), that person's.
_HOLDS = "responsible_organisation_id = $1 AND (responsible_sub IS NULL OR responsible_sub = $2)"
_MINE = f"""
SELECT {_COLUMNS} FROM tasks
 WHERE {_HOLDS} AND status = 'OPEN'
   AND (NOT $3::bool OR due_at < now())
   AND ($4::uuid IS NULL OR (due_at, id) > (
        SELECT a.due_at, a.id FROM tasks a WHERE a.id = $4 AND a.responsible_organisation_id = $1))
 ORDER BY due_at, id LIMIT $5
"""
_MINE_COUNT = f"""
SELECT count(*) FROM tasks
 WHERE {_HOLDS} AND status = 'OPEN' AND (NOT $3::bool OR due_at < now())
"""
_IS_MINE = f"SELECT EXISTS (SELECT 1 FROM tasks WHERE id = $3 AND {_HOLDS})"
_BY_CASES = f"SELECT {_COLUMNS} FROM tasks WHERE case_id = ANY($1::uuid[]) ORDER BY due_at, id"
_GET_FOR_UPDATE = f"SELECT {_COLUMNS} FROM tasks WHERE id = $1 FOR UPDATE"
_COMPLETE = f"""
UPDATE tasks SET status = 'DONE', completed_at = now(), completed_by_sub = $2,
       completed_by_organisation_id = $3
 WHERE id = $1 RETURNING {_COLUMNS}
"""
_DONE_WHEN = f"""
UPDATE tasks SET status = 'DONE', completed_at = now(), completed_by_sub = $3,
       completed_by_organisation_id = $4
 WHERE case_id = $1 AND status = 'OPEN' AND done_when = $2 RETURNING {_COLUMNS}
"""
_NOT_NEEDED_WHEN = f"""
UPDATE tasks SET status = 'NOT_NEEDED', completed_at = now(), closed_reason = $3,
       completed_by_sub = $4, completed_by_organisation_id = $5
 WHERE case_id = $1 AND status = 'OPEN' AND $2 = ANY(not_needed_when) RETURNING {_COLUMNS}
"""
_CLOSE_OPEN = f"""
UPDATE tasks SET status = 'NOT_NEEDED', completed_at = now(), closed_reason = $2,
       completed_by_sub = $3, completed_by_organisation_id = $4
 WHERE case_id = $1 AND status = 'OPEN' RETURNING {_COLUMNS}
"""
_CLOSE_OPEN_OF_CHILD = f"""
UPDATE tasks SET status = 'NOT_NEEDED', completed_at = now(), closed_reason = $2
 WHERE child_id = $1 AND status = 'OPEN' RETURNING {_COLUMNS}
"""
_OPEN_OF_OTHERS = """
SELECT DISTINCT responsible_organisation_id FROM tasks
 WHERE case_id = $1 AND status = 'OPEN' AND responsible_organisation_id <> $2
 ORDER BY 1
"""
# The scheduler's two sweeps: each marks and returns what became due or overdue since.
_MARK_DUE = f"""
UPDATE tasks SET due_notified_at = now()
 WHERE status = 'OPEN' AND due_notified_at IS NULL AND due_soon_at <= now() AND due_at > now()
RETURNING {_COLUMNS}
"""
_MARK_OVERDUE = f"""
UPDATE tasks SET overdue_notified_at = now(), due_notified_at = coalesce(due_notified_at, now())
 WHERE status = 'OPEN' AND overdue_notified_at IS NULL AND due_at <= now()
RETURNING {_COLUMNS}
"""


def _model(row: asyncpg.Record) -> Task:
    return Task(
        id=row["id"],
        child_id=row["child_id"],
        case_id=row["case_id"],
        routine=row["routine"],
        title=row["title"],
        responsible_organisation_id=row["responsible_organisation_id"],
        created_at=row["created_at"],
        due_at=row["due_at"],
        status=TaskStatus(row["status"]),
        completed_at=row["completed_at"],
        closed_reason=row["closed_reason"],
        responsible_sub=row["responsible_sub"],
    )


async def insert_many(db: Db, tasks: Sequence[NewTask]) -> list[Task]:
    if not tasks:
        return []
    rows = await db.fetch(
        _INSERT,
        [t.child_id for t in tasks],
        [t.case_id for t in tasks],
        [t.template.key for t in tasks],
        [t.template.title for t in tasks],
        [t.responsible_organisation_id for t in tasks],
        [t.created_at for t in tasks],
        [t.created_at + t.template.deadline - t.template.due_soon for t in tasks],
        [t.created_at + t.template.deadline for t in tasks],
        [t.template.done_when for t in tasks],
        [t.responsible_sub for t in tasks],
        [" ".join(t.template.not_needed_when) for t in tasks],
        [json.dumps([e.as_json() for e in t.template.escalation]) for t in tasks],
    )
    return [_model(r) for r in rows]


async def mine(
    db: Db, organisation_id: str, sub: str, overdue_only: bool, request: PageRequest
) -> tuple[list[Task], int]:
    rows = await db.fetch(_MINE, organisation_id, sub, overdue_only, request.after, request.limit)
    total = await db.fetchval(_MINE_COUNT, organisation_id, sub, overdue_only)
    return [_model(r) for r in rows], int(total)


async def is_mine(db: Db, organisation_id: str, sub: str, task_id: uuid.UUID) -> bool:
    return bool(await db.fetchval(_IS_MINE, organisation_id, sub, task_id))


async def by_cases(db: Db, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Task]]:
    found: dict[uuid.UUID, list[Task]] = {i: [] for i in case_ids}
    for row in await db.fetch(_BY_CASES, list(case_ids)):
        found[row["case_id"]].append(_model(row))
    return found


async def get_for_update(db: Db, task_id: uuid.UUID) -> Task | None:
    row = await db.fetchrow(_GET_FOR_UPDATE, task_id)
    return _model(row) if row else None


async def complete(db: Db, task_id: uuid.UUID, sub: str, organisation_id: str) -> Task:
    row = await db.fetchrow(_COMPLETE, task_id, sub, organisation_id)
    assert row is not None
    return _model(row)


async def complete_done_when(
    db: Db, case_id: uuid.UUID, fact: str, sub: str | None, organisation_id: str | None
) -> list[Task]:
    return [_model(r) for r in await db.fetch(_DONE_WHEN, case_id, fact, sub, organisation_id)]


async def not_needed_when(
    db: Db, case_id: uuid.UUID, fact: str, reason: str, by: tuple[str, str] | None
) -> list[Task]:
    sub, org = by or (None, None)
    rows = await db.fetch(_NOT_NEEDED_WHEN, case_id, fact, reason, sub, org)
    return [_model(r) for r in rows]


async def close_open(
    db: Db, case_id: uuid.UUID, reason: str, by: tuple[str, str] | None
) -> list[Task]:
    sub, org = by or (None, None)
    return [_model(r) for r in await db.fetch(_CLOSE_OPEN, case_id, reason, sub, org)]


# Open tasks past the next step of their ladder at `$1` (the scheduler's clock), with whom
# that step reaches; the step is taken in the same statement, once.
_ESCALATE = f"""
WITH due AS (
    SELECT t.id, t.escalation_step AS step,
           t.escalation -> t.escalation_step ->> 'to' AS target,
           ch.responsible_municipality_id AS municipality
      FROM tasks t JOIN children ch ON ch.id = t.child_id
     WHERE t.status = 'OPEN' AND t.escalation_step < jsonb_array_length(t.escalation)
       AND t.due_at + ((t.escalation -> t.escalation_step ->> 'afterMinutes')::int
                       * interval '1 minute') <= $1
     ORDER BY t.due_at, t.id
     LIMIT $2
       FOR UPDATE OF t SKIP LOCKED
)
UPDATE tasks SET escalation_step = due.step + 1 FROM due WHERE tasks.id = due.id
RETURNING {", ".join(f"tasks.{c.strip()}" for c in _COLUMNS.split(","))},
          due.step + 1 AS step, due.target, due.municipality
"""


@dataclass(frozen=True, slots=True)
class Escalated:
    task: Task
    step: int  # 1 for the first step
    target: str  # responsible | on_call | responsible_municipality | an organisation id
    to: str  # the organisation it reaches


async def escalate(db: Db, now: datetime, limit: int = 500) -> list[Escalated]:
    found = []
    for row in await db.fetch(_ESCALATE, now, limit):
        task = _model(row)
        target = row["target"]
        if target == "responsible_municipality":
            to = row["municipality"]
        elif target in ("responsible", "on_call"):
            to = task.responsible_organisation_id
        else:
            to = target
        found.append(Escalated(task, row["step"], target, to))
    return found


async def close_open_of_child(db: Db, child_id: uuid.UUID, reason: str) -> list[Task]:
    return [_model(r) for r in await db.fetch(_CLOSE_OPEN_OF_CHILD, child_id, reason)]


async def open_of_others(db: Db, case_id: uuid.UUID, organisation_id: str) -> list[str]:
    """The other organisations holding open tasks in the case."""
    return [r[0] for r in await db.fetch(_OPEN_OF_OTHERS, case_id, organisation_id)]


async def mark_due(db: Db) -> list[Task]:
    return [_model(r) for r in await db.fetch(_MARK_DUE)]


async def mark_overdue(db: Db) -> list[Task]:
    return [_model(r) for r in await db.fetch(_MARK_OVERDUE)]


_COUNT_FOR_CASES = "SELECT count(*) FROM tasks WHERE case_id = ANY($1::uuid[])"


async def count_for_cases(db: Db, case_ids: Sequence[uuid.UUID]) -> int:
    return int(await db.fetchval(_COUNT_FOR_CASES, list(case_ids)))
