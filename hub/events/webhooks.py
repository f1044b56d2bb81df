"""Webhooks for partner systems that cannot hold a WebSocket open.

An organisation's admin registers an endpoint and the event types it wants; the secret is
shown once (and can be rotated). The notifier queues one delivery per event and endpoint;
the sender posts it at delivery time as the receiving organisation may see it then (the
same policy path as a query: an organisation that lost access gets nothing, the delivery
is SKIPPED), as a CloudEvents 1.0 structured body signed per the Standard Webhooks spec
(`webhook-id` stable across retries, for deduplication). Failures are retried with
exponential backoff and jitter for a day, then DEAD. Every delivery that discloses is an
audit row (kind DELIVERY). Endpoints must be https in prod and never in a private,
loopback or link-local range unless HUB_WEBHOOK_ALLOW_PRIVATE names it (SSRF).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import random
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
from cloudevents.v1.conversion import to_structured
from cloudevents.v1.http import CloudEvent
from standardwebhooks.webhooks import Webhook as Signer

from hub.actor import Actor
from hub.audit import writing
from hub.audit.models import AuditKind
from hub.audit.recorder import AuditPolicy, Recorder
from hub.auth.principal import Principal, Purpose, Role
from hub.cases import service as cases
from hub.db.session import Session
from hub.errors import InvalidInput, NotFound
from hub.events import webhook_repository as repository
from hub.events.models import EventType
from hub.events.webhook_repository import Delivery, Webhook
from hub.organisations.models import Organisation, OrganisationKind
from hub.organisations.registry import OrganisationRegistry
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy
from hub.routines.config import Routines
from hub.settings import Environment, Settings

log = logging.getLogger("hub.webhooks")

MAX_WEBHOOKS = 10
GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
TIMEOUT = 10.0
_NO_WEBHOOK = "no webhook with this id among your organisation's"


# ---- registration


async def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, None)
    except OSError:
        raise InvalidInput("the url's host does not resolve", field="url") from None
    return [ipaddress.ip_address(info[4][0]) for info in found]


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def check_url(url: str, settings: Settings) -> str:
    """The endpoint, refused unless https (prod) and outside private ranges (or allowed)."""
    parts = urlsplit(url.strip())
    dev = settings.env is Environment.DEV
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username:
        raise InvalidInput("the url is an https:// address", field="url")
    addresses = await _addresses(parts.hostname)
    loopback = all(a.is_loopback for a in addresses)
    if parts.scheme == "http" and not (dev and loopback):
        raise InvalidInput("the url is https (plain http only to loopback in dev)", field="url")
    allowed = [ipaddress.ip_network(c) for c in settings.webhook_allow_private]
    for address in addresses:
        if (dev and address.is_loopback) or any(address in net for net in allowed):
            continue
        if _private(address):
            raise InvalidInput(
                "the url resolves to a private, loopback or link-local address; "
                "HUB_WEBHOOK_ALLOW_PRIVATE may allow its range",
                field="url",
            )
    return url.strip()


def _secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _event_types(values: Sequence[str]) -> list[str]:
    if not values:
        raise InvalidInput("name at least one event type", field="eventTypes")
    return sorted({EventType(v).value for v in values})


async def register(
    actor: Actor, url: str, event_types: Sequence[str], settings: Settings
) -> tuple[Webhook, str]:
    actor.policy.authorize_admin(actor.principal, Action.REGISTER_WEBHOOK)
    org = actor.principal.organisation_id
    if len(await repository.of_organisation(actor.db, org)) >= MAX_WEBHOOKS:
        raise InvalidInput(f"at most {MAX_WEBHOOKS} webhooks per organisation", field="url")
    checked = await check_url(url, settings)
    secret = _secret()
    hook = await repository.add(
        actor.db, org, checked, _event_types(event_types), secret, actor.principal.sub
    )
    return hook, secret


async def _own(actor: Actor, webhook_id: uuid.UUID | None, action: Action) -> Webhook:
    actor.policy.authorize_admin(actor.principal, action)
    hook = (
        await repository.get(actor.db, webhook_id, actor.principal.organisation_id)
        if webhook_id
        else None
    )
    if hook is None:
        raise NotFound(_NO_WEBHOOK)
    return hook


async def rotate(actor: Actor, webhook_id: uuid.UUID | None) -> tuple[Webhook, str]:
    hook = await _own(actor, webhook_id, Action.ROTATE_WEBHOOK_SECRET)
    secret = _secret()
    await repository.set_secret(actor.db, hook.id, secret)
    return hook, secret


async def delete(actor: Actor, webhook_id: uuid.UUID | None) -> Webhook:
    hook = await _own(actor, webhook_id, Action.DELETE_WEBHOOK)
    await repository.delete(actor.db, hook.id)
    return hook


async def ping(actor: Actor, webhook_id: uuid.UUID | None) -> Webhook:
    hook = await _own(actor, webhook_id, Action.PING_WEBHOOK)
    await repository.enqueue_ping(actor.db, hook.id)
    return hook


async def of_organisation(actor: Actor) -> list[Webhook]:
    actor.policy.authorize_admin(actor.principal, Action.WEBHOOKS)
    return await repository.of_organisation(actor.db, actor.principal.organisation_id)


async def deliveries(actor: Actor, webhook_id: uuid.UUID, limit: int) -> list[Delivery]:
    return await repository.deliveries(actor.db, webhook_id, limit)


# ---- delivery


@dataclass(frozen=True, slots=True)
class Parts:
    """What the sender needs of the running hub."""

    pool: asyncpg.Pool
    policy: Policy
    registry: OrganisationRegistry
    routines: Routines
    settings: Settings


_ROLE = {
    OrganisationKind.POLICE: Role.OFFICER,
    OrganisationKind.RESIDENCE: Role.STAFF,
    OrganisationKind.NGO: Role.STAFF,
}


def _receiver(org: Organisation, webhook_id: uuid.UUID, until: datetime) -> Principal:
    """The receiving organisation as a system of its own (no person: a god man's personal
    relation is never a webhook's)."""
    return Principal(
        sub=f"webhook:{webhook_id}",
        organisation=org,
        roles=frozenset({_ROLE.get(org.kind, Role.CASEWORKER)}),
        purpose=Purpose.PROTECTION,
        expires_at=until,
    )


async def _data(actor: Actor, row: asyncpg.Record) -> dict[str, Any] | None:
    """The event as the receiver may see it now; None when it may not see the case."""
    if row["event_id"] is None:
        return {"ping": True}
    visible = await cases.visible_one(actor, row["case_id"])
    if visible is None or not visible.view.allows(DataCategory.CASE_STATUS):
        return None
    case, view = visible.row, visible.view
    shown: dict[str, Any] = {
        "id": str(case.id),
        "status": case.status.value,
        "version": case.version,
    }
    if view.allows(DataCategory.SIGHTINGS):
        shown["lastSeenAt"] = case.last_seen_at.isoformat() if case.last_seen_at else None
        shown["lastSeenPlace"] = case.last_seen_place
    shown["withheld"] = sorted(w.category.value for w in view.withheld)
    categories = frozenset({DataCategory.CASE_STATUS, DataCategory.SIGHTINGS} & view.allowed)
    actor.audit.disclosed("Webhook", categories, view, child_id=case.child_id, case_id=case.id)
    return {
        "cursor": str(row["event_id"]),
        "type": row["type"],
        "occurredAt": row["occurred_at"].isoformat(),
        "reason": row["reason"],
        "case": shown,
    }


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … at most 2 h, each ±50 % so endpoints are not hit in step."""
    wait = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    jitter = random.uniform(0.5, 1.5)  # not a secret: spreads the retries
    return timedelta(seconds=wait.total_seconds() * jitter)


async def _post(
    http: httpx.AsyncClient, row: asyncpg.Record, body: bytes, headers: dict[str, str]
) -> tuple[int | None, str | None]:
    try:
        response = await http.post(row["url"], content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as exc:
        return None, type(exc).__name__
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def _signed(
    row: asyncpg.Record, data: dict[str, Any], now: datetime
) -> tuple[dict[str, str], bytes]:
    event = CloudEvent(
        {
            "type": f"se.stockholm.hub.{row['type'] or 'PING'}",
            "source": "/hub",
            "id": row["message_id"],
            "subject": data.get("case", {}).get("id", "ping"),
            "time": now.isoformat(),
            "datacontenttype": "application/json",
        },
        data,
    )
    headers, body = to_structured(event)
    signature = Signer(row["secret"]).sign(row["message_id"], now, body.decode())
    headers = {
        **headers,
        "webhook-id": row["message_id"],
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return headers, body


BATCH = 50  # deliveries prepared in one transaction and posted concurrently
BUDGET = 10.0  # seconds of sending per sweep; what is left goes at the next


async def send_due(
    parts: Parts, now: datetime, http: httpx.AsyncClient, *, budget: float = BUDGET
) -> int:
    """Post what is due, batch after batch until none is or the budget is spent; how many
    were delivered."""
    loop = asyncio.get_running_loop()
    deadline, delivered = loop.time() + budget, 0
    while loop.time() < deadline:
        sent, handled = await _send_batch(parts, now, http)
        delivered += sent
        if handled < BATCH:
            break
    return delivered


async def _prepared(
    parts: Parts, row: asyncpg.Record, org: Organisation, now: datetime
) -> tuple[dict[str, str], bytes] | None:
    """The signed request, its disclosure recorded first; None when the receiver may not
    see the case now."""
    session = Session(parts.pool, readonly=True)
    receiver = _receiver(org, row["webhook_id"], now + timedelta(minutes=5))
    audit = Recorder(
        receiver,
        kind=AuditKind.DELIVERY,
        request_id=row["message_id"],
        policy=AuditPolicy(policy_version=parts.policy.version),
    )
    audit.action = "webhook"
    actor = Actor(session, parts.policy, receiver, audit, parts.routines, parts.registry)
    try:
        data = await _data(actor, row)
        await writing.finish(session, audit, None, commit=True)  # recorded before sent
    except BaseException:
        await session.finish(commit=False)
        raise
    return None if data is None else _signed(row, data, now)


async def _send_batch(parts: Parts, now: datetime, http: httpx.AsyncClient) -> tuple[int, int]:
    delivered = 0
    async with parts.pool.acquire() as conn, conn.transaction():
        rows = await repository.due(conn, now, BATCH)
        ready = []
        for row in rows:
            org = await parts.registry.get(row["organisation_id"])
            if row["deleted_at"] is not None or org is None:
                await repository.settle(conn, row["id"], "DEAD", last_error="webhook deleted")
                continue
            signed = await _prepared(parts, row, org, now)
            if signed is None:
                await repository.settle(conn, row["id"], "SKIPPED", last_error="no access now")
                continue
            ready.append((row, *signed))
        answers = await asyncio.gather(*(_post(http, r, body, h) for r, h, body in ready))
        for (row, _, _), (status, error) in zip(ready, answers, strict=True):
            if error is None:
                await repository.settle(conn, row["id"], "DELIVERED", last_status=status)
                delivered += 1
                continue
            given_up = now - row["created_at"] >= GIVE_UP_AFTER
            await repository.settle(
                conn,
                row["id"],
                "DEAD" if given_up else "RETRYING",
                next_attempt_at=now + _backoff(row["attempts"] + 1),
                last_status=status,
                last_error=error,
            )
    return delivered, len(rows)
