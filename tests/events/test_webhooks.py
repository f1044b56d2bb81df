"""Webhooks through a real receiver on loopback: each event as the receiving organisation
may see it at delivery time, signed per Standard Webhooks, retried with the same
webhook-id; nothing for a receiver that lost access; no endpoint in a private range."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from hub.demo.seed import _id
from hub.errors import InvalidInput
from hub.events.webhooks import check_url
from hub.settings import Environment, Settings
from tests.conftest import RunningHub, run_hub, until
from tests.events.reports import sight

MISSING_CHILD, MISSING_CASE = _id("child", 17), _id("case", 17)  # Nacka's, reported missing
REGISTER = """mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
    secret webhook { id url eventTypes } } }"""


@dataclass
class Receiver:
    """A real HTTP endpoint: records each request, answers the statuses it is given."""

    answers: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    port: int = 0
    hold_first: bool = False  # keep the first request waiting, unanswered

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")
        headers = {
            k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append((headers, body))
        if self.hold_first and len(self.requests) == 1:
            await reader.read()  # no answer, until the sender goes away (killed)
            writer.close()
            return
        status = self.answers.pop(0) if self.answers else 200
        writer.write(
            f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    server = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = server.sockets[0].getsockname()[1]
    try:
        yield found
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def quiet_hub(db_url: str, data_dir: Path) -> AsyncIterator[RunningHub]:
    async with run_hub(db_url, data_dir, scheduler_interval=3600) as hub:
        await hub.swept()
        yield hub


async def _tick(hub: RunningHub, at: datetime) -> None:
    scheduler = hub.runtime.scheduler
    assert scheduler is not None
    scheduler.clock = lambda: at
    await scheduler.tick()


async def _register(hub: RunningHub, org: str, receiver: Receiver) -> str:
    data = await hub.query(
        hub.token(org, "admin"),
        REGISTER,
        input={"url": f"http://127.0.0.1:{receiver.port}/hook", "eventTypes": ["SIGHTING_ADDED"]},
    )
    secret: str = data["registerWebhook"]["secret"]
    assert secret.startswith("whsec_")
    return secret


async def test_a_receiver_gets_the_event_as_it_may_see_it_signed_and_retried_under_one_id(
    quiet_hub: RunningHub, receiver: Receiver, db: asyncpg.Connection
) -> None:
    hub = quiet_hub
    secret = await _register(hub, "nacka", receiver)
    receiver.answers = [503]  # the first attempt fails
    await sight(hub, "Fridhemsplan")
    now = datetime.now(UTC)
    await _tick(hub, now)
    assert len(receiver.requests) == 1
    await _tick(hub, now + timedelta(minutes=3))  # past the first backoff (at most 45 s)
    assert len(receiver.requests) == 2
    (first, _), (second, body) = receiver.requests
    assert first["webhook-id"] == second["webhook-id"], "a retry keeps the webhook-id"
    Verifier(secret).verify(body, second)  # raises unless signed with the secret
    event = json.loads(body)
    assert event["specversion"] == "1.0"
    assert event["type"] == "se.stockholm.hub.SIGHTING_ADDED"
    assert event["data"]["case"]["id"] == str(MISSING_CASE)
    assert event["data"]["case"]["lastSeenPlace"] == "Fridhemsplan"
    status = await db.fetchval("SELECT status FROM webhook_deliveries WHERE event_id IS NOT NULL")
    assert status == "DELIVERED"
    audited = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE kind = 'DELIVERY' AND action = 'webhook' "
        "AND organisation_id = 'nacka' AND child_id = $1",
        MISSING_CHILD,
    )
    assert audited == 2, "each delivery that disclosed is an audit row"


async def test_a_receiver_that_lost_access_gets_nothing_more(
    quiet_hub: RunningHub, receiver: Receiver, db: asyncpg.Connection
) -> None:
    hub = quiet_hub
    await _register(hub, "stadsmissionen", receiver)
    granted = await hub.query(
        hub.token("nacka"),
        """mutation($input: GrantConsentInput!) { grantConsent(input: $input) {
        consent { id } } }""",
        input={
            "childId": str(MISSING_CHILD),
            "recipientOrganisationId": "stadsmissionen",
            "categories": ["CASE_STATUS", "SIGHTINGS"],
        },
    )
    await sight(hub, "Hötorget")
    await _tick(hub, datetime.now(UTC))
    await until(lambda: len(receiver.requests) == 1, what="the delivery under consent")
    await hub.query(
        hub.token("nacka"),
        """mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) {
        consent { id } } }""",
        input={"consentId": granted["grantConsent"]["consent"]["id"]},
    )
    await sight(hub, "Slussen")
    await _tick(hub, datetime.now(UTC) + timedelta(seconds=1))
    assert len(receiver.requests) == 1, "nothing after the consent was revoked"
    statuses = await db.fetch("SELECT status FROM webhook_deliveries ORDER BY id")
    assert [r["status"] for r in statuses] == ["DELIVERED", "SKIPPED"]


async def test_endpoints_in_private_ranges_or_over_plain_http_are_refused(
    quiet_hub: RunningHub,
) -> None:
    admin = quiet_hub.token("nacka", "admin")
    for url in ("http://10.1.2.3/hook", "https://192.168.0.10/hook", "ftp://127.0.0.1/x"):
        body = (
            await quiet_hub.graphql(
                admin, REGISTER, {"input": {"url": url, "eventTypes": ["STATUS_CHANGED"]}}
            )
        ).json()
        assert body["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "url"}, url
    prod = Settings(env=Environment.PROD, oidc_issuer="https://idp.example")
    for url in ("http://127.0.0.1:9/hook", "https://127.0.0.1:9/hook"):
        with pytest.raises(InvalidInput):
            await check_url(url, prod)
    allowed = prod.with_overrides(webhook_allow_private=("127.0.0.0/8",))
    assert await check_url("https://127.0.0.1:9/hook", allowed) == "https://127.0.0.1:9/hook"


async def test_a_sweep_cut_off_mid_delivery_delivers_again_after_a_restart_under_one_id(
    db_url: str, data_dir: Path, receiver: Receiver, db: asyncpg.Connection
) -> None:
    """The hub dies while a delivery's request is out (its sweep is cut off before it can
    mark anything): the next hub delivers again, under the same webhook-id."""
    receiver.hold_first = True
    async with run_hub(db_url, data_dir, scheduler_interval=3600) as first:
        await first.swept()
        await _register(first, "nacka", receiver)
        await sight(first, "Slussen")
        scheduler = first.runtime.scheduler
        assert scheduler is not None
        sweep = asyncio.create_task(scheduler.tick())
        await until(lambda: len(receiver.requests) == 1, what="the first attempt")
        sweep.cancel()  # the crash: the request is out, no answer has come
        with contextlib.suppress(asyncio.CancelledError):
            await sweep
    assert await db.fetchval("SELECT status FROM webhook_deliveries") == "PENDING"
    async with run_hub(db_url, data_dir, scheduler_interval=3600) as second:
        await second.swept()  # the new hub's first sweep delivers what was left
        await until(lambda: len(receiver.requests) == 2, what="the delivery again")
    (cut_off, _), (again, _) = receiver.requests
    assert cut_off["webhook-id"] == again["webhook-id"], "the receiver can tell it is the same"
    assert await db.fetchval("SELECT status FROM webhook_deliveries") == "DELIVERED"
    assert await db.fetchval("SELECT count(*) FROM webhook_deliveries") == 1
