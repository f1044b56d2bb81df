"""All SQL of the notifier (hub.events.notifier): its position in the outbox, what it
reads to decide whom to tell, the inbox rows it writes, and the mail outbox."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

_EVENTS = """
SELECT e.id, e.type, e.child_id, e.case_id, e.payload, ch.responsible_municipality_id
  FROM case_events e JOIN children ch ON ch.id = e.child_id
 WHERE e.id > $1 ORDER BY e.id LIMIT $2
"""
_NEWEST = "SELECT max(id) FROM (SELECT id FROM case_events WHERE id > $1 ORDER BY id LIMIT $2) n"
_TASK = "SELECT title, responsible_organisation_id, responsible_sub FROM tasks WHERE id = $1"
_TRANSFER = "SELECT to_municipality_id FROM transfers WHERE id = $1"
_NOTICE = """
INSERT INTO notifications (event_id, organisation_id, sub, kind, child_id, case_id, task_id)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING
"""
_RECENT_MAILS = """
SELECT count(*) FROM mail_outbox
 WHERE organisation_id = $1 AND created_at > now() - interval '1 hour'
"""
_MAIL = """
INSERT INTO mail_outbox (key, organisation_id, to_address, subject, body)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING
"""
_PENDING = """
SELECT id, key, to_address, subject, body FROM mail_outbox
 WHERE sent_at IS NULL AND attempts < $1
 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
"""


async def position_for_update(conn: Any) -> int:
    """The notifier's position, locked until its pass commits (one pass at a time)."""
    return int(await conn.fetchval("SELECT last_event_id FROM notifier_position FOR UPDATE"))


async def set_position(conn: Any, event_id: int) -> None:
    await conn.execute("UPDATE notifier_position SET last_event_id = $1", event_id)


async def events_after(conn: Any, last: int, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(_EVENTS, last, limit)
    return rows


async def newest_after(conn: Any, last: int, limit: int) -> int | None:
    found = await conn.fetchval(_NEWEST, last, limit)
    return int(found) if found is not None else None


async def task(conn: Any, task_id: uuid.UUID) -> asyncpg.Record | None:
    found: asyncpg.Record | None = await conn.fetchrow(_TASK, task_id)
    return found


async def transfer_target(conn: Any, transfer_id: uuid.UUID) -> str | None:
    found = await conn.fetchval(_TRANSFER, transfer_id)
    return str(found) if found else None


async def add_notice(
    conn: Any, event: asyncpg.Record, to: tuple[str, str | None, uuid.UUID | None]
) -> None:
    """`to`: organisation, person (or None: the organisation's), task."""
    organisation, sub, task_id = to
    await conn.execute(
        _NOTICE,
        event["id"],
        organisation,
        sub,
        event["type"],
        event["child_id"],
        event["case_id"],
        task_id,
    )


async def mails_in_last_hour(conn: Any, organisation_id: str) -> int:
    return int(await conn.fetchval(_RECENT_MAILS, organisation_id))


async def add_mail(
    conn: Any, key: str, organisation_id: str, address: str, text: tuple[str, str]
) -> None:
    """`text`: subject and body."""
    await conn.execute(_MAIL, key, organisation_id, address, *text)


async def pending_mails(conn: Any, attempts: int, limit: int) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(_PENDING, attempts, limit)
    return rows


async def mail_sent(conn: Any, mail_id: int) -> None:
    await conn.execute(
        "UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = $1", mail_id
    )


async def mail_failed(conn: Any, mail_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
        mail_id,
        error,
    )
