"""A subscription closed at any moment ends in its own context, at once: its bus place
given back, the delivery the consumer held recorded and committed."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from starlette.requests import Request

from hub.graphql.context import Context
from tests.conftest import RunningHub, until
from tests.events.reports import MISSING_CASE, sight

EVENTS = """subscription($caseId: ID) {
  caseEvents(caseId: $caseId) { cursor type case { id status } } }"""


async def test_a_subscription_closed_while_its_consumer_holds_an_event_ends_that_delivery_at_once(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    runtime = hub.runtime
    token = hub.token("polisen-stockholm", "officer")
    principal = await runtime.authenticator.authenticate(f"Bearer {token}")
    request = Request(
        {"type": "http", "method": "GET", "path": "/", "headers": [], "principal": principal}
    )
    before = runtime.live_subscribers

    async def consume() -> tuple[Any, int]:
        # one task, as a transport runs it: take one event, then close while holding it
        results = await runtime.schema.subscribe(
            EVENTS,
            variable_values={"caseId": MISSING_CASE},
            context_value=Context.of(runtime, request),
        )
        first = await anext(results)
        await results.aclose()
        return first, runtime.live_subscribers  # counted before anything else runs

    consumer = asyncio.create_task(consume())
    await until(
        lambda: consumer.done() or runtime.live_subscribers > before,
        what="the subscriber registered",
    )
    assert not consumer.done(), consumer.result()
    await sight(hub, "Medborgarplatsen")  # unless the scheduler's came first
    first, after_close = await asyncio.wait_for(consumer, 10)

    assert first.errors is None
    assert first.data["caseEvents"]["case"]["id"] == MISSING_CASE
    assert after_close == before  # not left to the garbage collector to give back
    delivered = await db.fetchval(
        "SELECT count(*) FROM audit_log WHERE kind = 'DELIVERY' AND sub = $1 "
        "AND details->>'eventId' = $2",
        principal.sub,
        first.data["caseEvents"]["cursor"],
    )
    assert delivered == 1
