"""Nobody misses a deadline: an overdue task climbs its ladder (on an injected clock), the
inbox tells whom it reaches, e-mail reaches a real SMTP server on loopback without personal
data, and a restart neither loses nor repeats anything."""

from __future__ import annotations

import email
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller

from hub.demo.seed import _id
from tests.conftest import RunningHub, run_hub, until

CHILD = _id("child", 1)  # Sigtuna's, placed at HVB Linden, no case, god man godman-2
INBOX = """query($unread: Boolean) { myNotifications(first: 50, unreadOnly: $unread) {
    unread notifications { id kind text read case { id } } } }"""


class _Mailbox:
    def __init__(self) -> None:
        self.received: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Mailbox, int]]:
    """A real SMTP server on a loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
async def quiet_hub(
    db_url: str, data_dir: Path, smtp: tuple[_Mailbox, int]
) -> AsyncIterator[RunningHub]:
    """Its scheduler sweeps once at start; the test ticks it on its own clock."""
    async with run_hub(
        db_url, data_dir, scheduler_interval=3600, smtp_url=f"smtp://127.0.0.1:{smtp[1]}"
    ) as hub:
        await hub.swept()
        yield hub


async def _absent(hub: RunningHub) -> str:
    data = await hub.query(
        hub.token("hvb-linden", "staff"),
        """mutation($input: ReportAbsentInput!) { reportAbsent(input: $input) { case { id } } }""",
        input={
            "childId": str(CHILD),
            "lastSeenAt": (datetime.now(UTC) - timedelta(minutes=30)).isoformat(),
            "lastSeenPlace": "Märsta station",
        },
    )
    case_id: str = data["reportAbsent"]["case"]["id"]
    return case_id


async def _tick_at(hub: RunningHub, at: datetime) -> None:
    scheduler = hub.runtime.scheduler
    assert scheduler is not None
    scheduler.clock = lambda: at
    await scheduler.tick()


async def _escalations(db: asyncpg.Connection, title: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        """SELECT e.payload FROM case_events e JOIN tasks t ON t.id = (e.payload->>'taskId')::uuid
            WHERE e.type = 'TASK_ESCALATED' AND t.title = $1 AND t.child_id = $2 ORDER BY e.id""",
        title,
        CHILD,
    )
    return [{k: r["payload"][k] for k in ("step", "to", "via")} for r in rows]


SEARCH = "Sök: telefon, vänner, vanliga platser, rummet"


def _text(mail: Message) -> str:
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


async def test_an_overdue_task_climbs_its_ladder_and_each_step_reaches_whom_it_names(
    quiet_hub: RunningHub, db: asyncpg.Connection, smtp: tuple[_Mailbox, int]
) -> None:
    hub, (box, _) = quiet_hub, smtp
    await db.execute(
        """INSERT INTO contact_points (organisation_id, position, label, phone, email, on_call)
           VALUES ('hvb-linden', 5, 'Jourhavande', '08-591 111 99', 'jour@linden.example', true)"""
    )
    case_id = await _absent(hub)
    due = await db.fetchval(
        "SELECT due_at FROM tasks WHERE child_id = $1 AND title = $2", CHILD, SEARCH
    )
    await _tick_at(hub, due - timedelta(minutes=1))
    assert await _escalations(db, SEARCH) == []
    await _tick_at(hub, due + timedelta(minutes=1))
    assert await _escalations(db, SEARCH) == [{"step": 1, "to": "hvb-linden", "via": "responsible"}]
    await _tick_at(hub, due + timedelta(hours=2, minutes=1))
    await _tick_at(hub, due + timedelta(hours=24, minutes=1))
    await _tick_at(hub, due + timedelta(hours=48))  # the ladder has no fourth step
    assert await _escalations(db, SEARCH) == [
        {"step": 1, "to": "hvb-linden", "via": "responsible"},
        {"step": 2, "to": "hvb-linden", "via": "on_call"},
        {"step": 3, "to": "sigtuna", "via": "responsible_municipality"},
    ]

    linden = await hub.query(hub.token("hvb-linden", "staff"), INBOX, unread=True)
    kinds = [n["kind"] for n in linden["myNotifications"]["notifications"]]
    assert kinds.count("TASK_ESCALATED") >= 2
    ours = [n for n in linden["myNotifications"]["notifications"] if n["case"] == {"id": case_id}]
    assert [n["kind"] for n in ours].count("TASK_ESCALATED") >= 2  # responsible, on call
    sigtuna = await hub.query(hub.token("sigtuna"), INBOX, unread=True)
    assert "TASK_ESCALATED" in {n["kind"] for n in sigtuna["myNotifications"]["notifications"]}

    await until(lambda: len(box.received) >= 1, what="the on-call mail")
    mails = [m for m in box.received if case_id in _text(m)]  # this case's; seeded ones too
    assert {m["To"] for m in mails} == {"jour@linden.example"}
    assert f"Eskalerad uppgift: {SEARCH}" in {m["Subject"] for m in mails}
    child = await db.fetchrow(
        "SELECT given_name, family_name, birth_date, placement_address FROM children WHERE id = $1",
        CHILD,
    )
    assert child is not None
    for mail in mails:
        text = _text(mail)
        for secret in (
            child["given_name"],
            child["family_name"],
            str(child["birth_date"]),
            child["placement_address"],
        ):
            assert secret is None or secret not in text
        assert case_id in text, "the link to the case"


async def test_the_god_mans_task_reaches_him_alone_and_he_marks_it_read(
    quiet_hub: RunningHub, db: asyncpg.Connection
) -> None:
    hub = quiet_hub
    await _absent(hub)
    guardian = await db.fetchval("SELECT guardian_sub FROM children WHERE id = $1", CHILD)
    title = "God man: ta del av anmälan och kontakta boendet"
    due = await db.fetchval(
        "SELECT due_at FROM tasks WHERE child_id = $1 AND title = $2", CHILD, title
    )
    await _tick_at(hub, due + timedelta(minutes=1))
    his = hub.token("overformyndare-stockholm", "guardian", sub=guardian)
    other = hub.token("overformyndare-stockholm", "guardian", sub="godman-9")
    mine = (await hub.query(his, INBOX, unread=True))["myNotifications"]
    assert mine["unread"] >= 1
    assert (await hub.query(other, INBOX, unread=True))["myNotifications"]["unread"] == 0
    ids = [n["id"] for n in mine["notifications"]]
    marked = await hub.query(
        his,
        """mutation($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) {
        inbox { unread } } }""",
        input={"ids": ids},
    )
    assert marked["markNotificationsRead"]["inbox"]["unread"] == 0


async def test_nothing_is_lost_or_told_twice_across_a_restart(
    db_url: str, data_dir: Path, db: asyncpg.Connection, smtp: tuple[_Mailbox, int]
) -> None:
    box, port = smtp
    await db.execute(
        """INSERT INTO contact_points (organisation_id, position, label, phone, email, on_call)
           VALUES ('hvb-linden', 5, 'Jourhavande', '08-591 111 99', 'jour@linden.example', true)"""
    )
    smtp_url = f"smtp://127.0.0.1:{port}"
    async with run_hub(db_url, data_dir, scheduler_interval=3600, smtp_url=smtp_url) as hub:
        await hub.swept()
        await _absent(hub)
        due = await db.fetchval(
            "SELECT due_at FROM tasks WHERE child_id = $1 AND title = $2", CHILD, SEARCH
        )
        await _tick_at(hub, due + timedelta(minutes=1))
        await _tick_at(hub, due + timedelta(hours=2, minutes=1))
    told = await db.fetchval("SELECT count(*) FROM notifications")
    mailed = len(box.received)
    assert told > 0
    assert mailed >= 1
    async with run_hub(
        db_url, data_dir, scheduler_interval=3600, smtp_url=smtp_url
    ) as again:  # a new process, same data
        await again.swept()
        await _tick_at(again, due + timedelta(hours=2, minutes=2))
    assert await db.fetchval("SELECT count(*) FROM notifications") == told
    assert len(box.received) == mailed, "a sent mail is not sent again"
    position = await db.fetchval("SELECT last_event_id FROM notifier_position")
    assert position == await db.fetchval("SELECT max(id) FROM case_events")
