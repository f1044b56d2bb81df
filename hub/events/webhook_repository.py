"""All SQL about webhooks and their deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from hub.db.session import Db


@dataclass(frozen=True, slots=True)
class Webhook:
    id: uuid.UUID
    organisation_id: str
    url: str
    event_types: tuple[str, ...]
    secret: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    webhook_id: uuid.UUID
    event_id: int | None
    message_id: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


_HOOK = "id, organisation_id, url, event_types, secret, created_at"
_DELIVERY = """id, webhook_id, event_id, message_id, status, attempts, next_attempt_at,
    last_status, last_error, created_at, delivered_at"""


def _hook(row: asyncpg.Record) -> Webhook:
    return Webhook(**{**dict(row), "event_types": tuple(row["event_types"])})


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(**dict(row))


async def add(
    db: Db, organisation_id: str, url: str, event_types: Sequence[str], secret: str, by: str
) -> Webhook:
    row = await db.fetchrow(
        f"""INSERT INTO webhooks (organisation_id, url, event_types, secret, created_by)
            VALUES ($1, $2, $3, $4, $5) RETURNING {_HOOK}""",
        organisation_id,
        url,
        list(event_types),
        secret,
        by,
    )
    assert row is not None
    return _hook(row)


async def of_organisation(db: Db, organisation_id: str) -> list[Webhook]:
    rows = await db.fetch(
        f"""SELECT {_HOOK} FROM webhooks WHERE organisation_id = $1 AND deleted_at IS NULL
            ORDER BY created_at""",
        organisation_id,
    )
    return [_hook(r) for r in rows]


async def get(db: Db, webhook_id: uuid.UUID, organisation_id: str) -> Webhook | None:
    """The organisation's own, live webhook; another's reads as none."""
    row = await db.fetchrow(
        f"""SELECT {_HOOK} FROM webhooks
             WHERE id = $1 AND organisation_id = $2 AND deleted_at IS NULL""",
        webhook_id,
        organisation_id,
    )
    return _hook(row) if row else None


async def set_secret(db: Db, webhook_id: uuid.UUID, secret: str) -> None:
    await db.execute("UPDATE webhooks SET secret = $2 WHERE id = $1", webhook_id, secret)


async def delete(db: Db, webhook_id: uuid.UUID) -> None:
    await db.execute("UPDATE webhooks SET deleted_at = now() WHERE id = $1", webhook_id)
    await db.execute(
        """UPDATE webhook_deliveries SET status = 'DEAD', last_error = 'webhook deleted'
            WHERE webhook_id = $1 AND status IN ('PENDING', 'RETRYING')""",
        webhook_id,
    )


async def deliveries(db: Db, webhook_id: uuid.UUID, limit: int) -> list[Delivery]:
    rows = await db.fetch(
        f"""SELECT {_DELIVERY} FROM webhook_deliveries WHERE webhook_id = $1
            ORDER BY id DESC LIMIT $2""",
        webhook_id,
        limit,
    )
    return [_delivery(r) for r in rows]


async def enqueue_for_event(conn: Any, event_id: int, event_type: str) -> None:
    """A delivery of the event to every live webhook that asked for its type."""
    await conn.execute(
        """INSERT INTO webhook_deliveries (webhook_id, event_id, message_id)
           SELECT w.id, $1::bigint,
                  'msg_' || $1::bigint::text || '_' || replace(w.id::text, '-', '')
             FROM webhooks w WHERE w.deleted_at IS NULL AND $2::text = ANY(w.event_types)
           ON CONFLICT DO NOTHING""",
        event_id,
        event_type,
    )


async def enqueue_ping(db: Db, webhook_id: uuid.UUID) -> None:
    await db.execute(
        """INSERT INTO webhook_deliveries (webhook_id, message_id)
           VALUES ($1, 'msg_ping_' || replace(gen_random_uuid()::text, '-', ''))""",
        webhook_id,
    )


_DUE = f"""
SELECT {", ".join(f"d.{c.strip()}" for c in _DELIVERY.split(","))},
       w.organisation_id, w.url, w.secret, w.deleted_at,
       e.type, e.child_id, e.case_id, e.occurred_at, e.reason
  FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
  LEFT JOIN case_events e ON e.id = d.event_id
 WHERE d.status IN ('PENDING', 'RETRYING')
   AND (d.status = 'PENDING' OR d.next_attempt_at <= $1)  -- a new one goes at once
 ORDER BY d.next_attempt_at, d.id LIMIT $2
   FOR UPDATE OF d SKIP LOCKED
"""


async def due(conn: Any, now: datetime, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(_DUE, now, limit)
    return rows


async def settle(
    conn: Any,
    delivery_id: int,
    status: str,
    *,
    next_attempt_at: datetime | None = None,
    last_status: int | None = None,
    last_error: str | None = None,
) -> None:
    await conn.execute(
        """UPDATE webhook_deliveries
              SET status = $2, attempts = attempts + 1,
                  next_attempt_at = coalesce($3, next_attempt_at),
                  last_status = $4, last_error = $5,
                  delivered_at = CASE WHEN $2 = 'DELIVERED' THEN now() END
            WHERE id = $1""",
        delivery_id,
        status,
        next_attempt_at,
        last_status,
        last_error,
    )
