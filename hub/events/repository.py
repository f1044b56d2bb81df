"""All SQL about case events (the outbox) and acknowledgements."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from hub.db.session import Db
from hub.events.models import Acknowledgement, CaseEvent, EventType, NewEvent

_ORDER_LOCK = 0x6875625F657674  # "hub_evt"
_COLUMNS = """id, type, child_id, case_id, actor_organisation_id, occurred_at, payload,
    actor_name, actor_role, reason"""
_APPEND = """
INSERT INTO case_events (type, child_id, case_id, actor_organisation_id, actor_sub, payload,
                         actor_name, actor_role, reason)
SELECT t, ch, k, o, s, p::jsonb, n, r, why
  FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[],
              $7::text[], $8::text[], $9::text[])
       AS e(t, ch, k, o, s, p, n, r, why)
RETURNING id
"""
_BY_CASES = f"SELECT {_COLUMNS} FROM case_events WHERE case_id = ANY($1::uuid[]) ORDER BY id"
_BY_ID = f"SELECT {_COLUMNS} FROM case_events WHERE id = $1"
_AFTER = f"SELECT {_COLUMNS} FROM case_events WHERE id > $1 ORDER BY id LIMIT $2"
_LAST_ID = "SELECT coalesce(max(id), 0) FROM case_events"
_ACK = """
INSERT INTO acknowledgements (event_id, organisation_id, sub) VALUES ($1, $2, $3)
ON CONFLICT (event_id, organisation_id) DO NOTHING
RETURNING event_id
"""
_ACKED_BY = """
SELECT event_id FROM acknowledgements WHERE event_id = ANY($1::bigint[]) AND organisation_id = $2
"""
_ACKS_BY_CASES = """
SELECT e.case_id, a.event_id, a.organisation_id, a.acknowledged_at
  FROM acknowledgements a JOIN case_events e ON e.id = a.event_id
 WHERE e.case_id = ANY($1::uuid[]) ORDER BY a.event_id, a.organisation_id
"""


def _model(row: asyncpg.Record) -> CaseEvent:
    return CaseEvent(
        id=row["id"],
        type=EventType(row["type"]),
        child_id=row["child_id"],
        case_id=row["case_id"],
        actor_organisation_id=row["actor_organisation_id"],
        occurred_at=row["occurred_at"],
        payload=row["payload"],
        actor_name=row["actor_name"],
        actor_role=row["actor_role"],
        reason=row["reason"],
    )


async def append(db: Db, events: Sequence[NewEvent]) -> list[int]:
    """Write events in one statement, in order; their ids (the cursors).

    The transaction-level lock makes event ids commit in order: a reader that has seen id
    N has seen every committed id below N, so a cursor never skips a late commit. Callers
    take it last in their transaction (see `outbox.record`), so it joins no lock cycle.
    """
    if not events:
        return []
    await db.execute("SELECT pg_advisory_xact_lock($1)", _ORDER_LOCK)
    rows = await db.fetch(
        _APPEND,
        [e.type.value for e in events],
        [e.child_id for e in events],
        [e.case_id for e in events],
        [e.actor_organisation_id for e in events],
        [e.actor_sub for e in events],
        [json.dumps(e.payload) for e in events],
        [e.actor_name for e in events],
        [e.actor_role for e in events],
        [e.reason for e in events],
    )
    return [r["id"] for r in rows]


async def by_cases(db: Db, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[CaseEvent]]:
    found: dict[uuid.UUID, list[CaseEvent]] = {i: [] for i in case_ids}
    for row in await db.fetch(_BY_CASES, list(case_ids)):
        found[row["case_id"]].append(_model(row))
    return found


async def by_id(db: Db, event_id: int) -> CaseEvent | None:
    row = await db.fetchrow(_BY_ID, event_id)
    return _model(row) if row else None


async def after(db: Db, cursor: int, limit: int) -> list[CaseEvent]:
    return [_model(r) for r in await db.fetch(_AFTER, cursor, limit)]


async def last_id(db: Db) -> int:
    return int(await db.fetchval(_LAST_ID))


async def acknowledge(db: Db, event_id: int, organisation_id: str, sub: str) -> bool:
    """Record it; False when this organisation had already acknowledged the event."""
    return await db.fetchval(_ACK, event_id, organisation_id, sub) is not None


async def acknowledged_by(db: Db, event_ids: Sequence[int], organisation_id: str) -> set[int]:
    """Which of these events `organisation_id` has acknowledged."""
    return {row["event_id"] for row in await db.fetch(_ACKED_BY, list(event_ids), organisation_id)}


async def acknowledgements_by_cases(
    db: Db, case_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Acknowledgement]]:
    found: dict[uuid.UUID, list[Acknowledgement]] = {i: [] for i in case_ids}
    for row in await db.fetch(_ACKS_BY_CASES, list(case_ids)):
        found[row["case_id"]].append(
            Acknowledgement(row["event_id"], row["organisation_id"], row["acknowledged_at"])
        )
    return found


# ---- the person's inbox (rows written by hub.events.notifier)

_MINE = """(n.organisation_id = $1 AND (n.sub IS NULL OR n.sub = $2))"""
_INBOX = f"""
SELECT n.id, n.kind, n.child_id, n.case_id, n.task_id, n.created_at,
       EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id
                AND r.organisation_id = $1 AND r.sub = $2) AS read
  FROM notifications n
 WHERE {_MINE}
   AND ($3::bigint IS NULL OR n.id < $3)
   AND (NOT $4::bool OR NOT EXISTS (SELECT 1 FROM notification_reads r
        WHERE r.notification_id = n.id AND r.organisation_id = $1 AND r.sub = $2))
 ORDER BY n.id DESC LIMIT $5
"""
_UNREAD = f"""
SELECT count(*) FROM notifications n WHERE {_MINE}
   AND NOT EXISTS (SELECT 1 FROM notification_reads r
        WHERE r.notification_id = n.id AND r.organisation_id = $1 AND r.sub = $2)
"""
_MARK = f"""
INSERT INTO notification_reads (notification_id, organisation_id, sub)
SELECT n.id, $1, $2 FROM notifications n WHERE n.id = ANY($3::bigint[]) AND {_MINE}
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    kind: EventType
    child_id: uuid.UUID
    case_id: uuid.UUID | None
    task_id: uuid.UUID | None
    created_at: datetime
    read: bool


async def inbox(
    db: Db, by: tuple[str, str], before: int | None, unread_only: bool, limit: int
) -> list[Notification]:
    rows = await db.fetch(_INBOX, *by, before, unread_only, limit)
    return [
        Notification(
            r["id"],
            EventType(r["kind"]),
            r["child_id"],
            r["case_id"],
            r["task_id"],
            r["created_at"],
            r["read"],
        )
        for r in rows
    ]


async def unread(db: Db, by: tuple[str, str]) -> int:
    return int(await db.fetchval(_UNREAD, *by))


async def mark_read(db: Db, by: tuple[str, str], ids: Sequence[int]) -> None:
    """Only the person's own notifications; another's ids are passed over silently."""
    await db.execute(_MARK, *by, list(ids))
