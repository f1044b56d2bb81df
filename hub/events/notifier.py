"""The notifier: from the outbox (case_events) to the people who must act.

It runs on the scheduler's leader (one replica at a time) and keeps its own position in
`notifier_position`, advanced in the same transaction as the notifications and mails it
derives: a restart, a failover or PostgreSQL going away loses nothing, and the unique keys
(event, organisation, person; the mail's Message-ID) mean nothing is derived twice.

- Inbox: task due, overdue and escalated go to the task's holder (a god man's own task to
  him alone; an escalation to whom its step reaches), a transfer request to the receiving
  municipality, a contact report to the child's responsible municipality.
- E-mail: an escalation step `on_call` mails the holder's on-call contact points that have
  an address: Swedish text, what needs doing and a link to the case, no personal data.
  At most MAILS_PER_HOUR per organisation.
"""

from __future__ import annotations

import logging
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import asyncpg

from hub.events import notifier_repository as repository
from hub.events import webhook_repository as webhooks
from hub.events.models import EventType
from hub.organisations import repository as organisations

log = logging.getLogger("hub.notifier")

NOTIFIED = frozenset(
    {
        EventType.TASK_DUE,
        EventType.TASK_OVERDUE,
        EventType.TASK_ESCALATED,
        EventType.TRANSFER_REQUESTED,
        EventType.CONTACT_REPORTED,
    }
)
BATCH = 500
MAILS_PER_HOUR = 30
MAIL_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class Notice:
    organisation_id: str
    sub: str | None
    task_id: uuid.UUID | None


async def _notices(conn: Any, row: asyncpg.Record) -> list[Notice]:
    kind, payload = EventType(row["type"]), row["payload"]
    if kind in (EventType.TASK_DUE, EventType.TASK_OVERDUE, EventType.TASK_ESCALATED):
        task_id = uuid.UUID(payload["taskId"])
        task = await repository.task(conn, task_id)
        if task is None:
            return []
        org = payload.get("to", task["responsible_organisation_id"])
        personal = task["responsible_sub"] if org == task["responsible_organisation_id"] else None
        return [Notice(org, personal, task_id)]
    if kind is EventType.TRANSFER_REQUESTED:
        to = await repository.transfer_target(conn, uuid.UUID(payload["transferId"]))
        return [Notice(to, None, None)] if to else []
    if kind is EventType.CONTACT_REPORTED:
        return [Notice(row["responsible_municipality_id"], None, None)]
    return []


def _mail_text(title: str, step: int, case_id: uuid.UUID | None, console: str) -> tuple[str, str]:
    """Subject and body: what needs doing and where, never who (no name, birth date,
    address or case content)."""
    link = f"{console}#/case/{case_id}" if case_id else console
    subject = f"Eskalerad uppgift: {title}"
    body = (
        f'Hej,\n\nuppgiften "{title}" har passerat sin tidsgräns och eskalerats till er '
        f"(steg {step}). Någon behöver ta den nu.\n\nÖppna ärendet i navet: {link}\n\n"
        "Det här brevet innehåller inga personuppgifter; logga in för att se ärendet.\n"
        "— Navet för ensamkommande barn som försvinner, Stockholms län\n"
    )
    return subject, body


async def _mails(conn: Any, row: asyncpg.Record, console: str) -> None:
    payload = row["payload"]
    if EventType(row["type"]) is not EventType.TASK_ESCALATED or payload.get("via") != "on_call":
        return
    org = payload["to"]
    if await repository.mails_in_last_hour(conn, org) >= MAILS_PER_HOUR:
        log.warning("mail limit reached for an organisation; the inbox still has it")
        return
    task = await repository.task(conn, uuid.UUID(payload["taskId"]))
    if task is None:
        return
    points = (await organisations.contact_points(conn, [org]))[org]
    subject, body = _mail_text(task["title"], payload["step"], row["case_id"], console)
    for point in points:
        if point.on_call and point.email:
            key = f"<{row['id']}.{point.email}@hub.notifier>"
            await repository.add_mail(conn, key, org, point.email, (subject, body))


async def step(pool: asyncpg.Pool, console: str) -> int:
    """One pass over what the outbox holds past the notifier's position; how many events
    it read. Everything it derives commits with the new position, or nothing does."""
    async with pool.acquire() as conn, conn.transaction():
        last = await repository.position_for_update(conn)
        rows = await repository.events_after(conn, last, BATCH)
        for row in rows:
            if EventType(row["type"]) not in NOTIFIED:
                continue
            for notice in await _notices(conn, row):
                await repository.add_notice(
                    conn,
                    row,
                    (notice.organisation_id, notice.sub, notice.task_id),
                )
            await _mails(conn, row, console)
        for row in rows:  # partner systems: every event type a webhook asked for
            if row["case_id"] is not None:
                await webhooks.enqueue_for_event(conn, row["id"], row["type"])
        newest = await repository.newest_after(conn, last, BATCH)
        if newest is not None:
            await repository.set_position(conn, newest)
        return len(rows)


# ---- sending the mail


@dataclass(frozen=True, slots=True)
class Smtp:
    """HUB_SMTP_URL: smtp://host:port (STARTTLS when offered) or smtps://host:port."""

    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> Smtp:
        parts = urlsplit(url)
        tls = parts.scheme == "smtps"
        return cls(
            parts.hostname or "localhost",
            parts.port or (465 if tls else 25),
            tls,
            parts.username,
            parts.password,
        )


async def send_pending(pool: asyncpg.Pool, smtp: Smtp, sender: str, limit: int = 20) -> int:
    """Send what waits; a mail that fails is tried again next time (up to MAIL_ATTEMPTS).
    A crash between sending and marking sends it again under the same Message-ID."""
    sent = 0
    async with pool.acquire() as conn, conn.transaction():
        for row in await repository.pending_mails(conn, MAIL_ATTEMPTS, limit):
            message = EmailMessage()
            message["From"], message["To"] = sender, row["to_address"]
            message["Subject"], message["Message-ID"] = row["subject"], row["key"]
            message.set_content(row["body"])
            try:
                await aiosmtplib.send(
                    message,
                    hostname=smtp.host,
                    port=smtp.port,
                    use_tls=smtp.tls,
                    username=smtp.username,
                    password=smtp.password,
                    timeout=10,
                    tls_context=ssl.create_default_context() if smtp.tls else None,
                )
            except (OSError, aiosmtplib.SMTPException) as exc:
                await repository.mail_failed(conn, row["id"], type(exc).__name__)
                continue
            await repository.mail_sent(conn, row["id"])
            sent += 1
    return sent
