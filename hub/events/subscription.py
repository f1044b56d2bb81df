"""Deliver case events to one subscriber: replay from a cursor, then live, each redacted.

Authorization happens at delivery: for each event the case is read anew through the same
policy path as a query, with its own short transaction (which also writes the delivery's
audit record before the event is sent), so a consent revoked a second ago
already counts, and an event about a case the subscriber may not see is skipped without a
trace. The subscriber is registered with the bus before the replay starts and skips ids it
has already delivered, so there is no gap and no duplicate at the seam.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextvars import Token

from hub.audit.models import AuditKind
from hub.cases import service as cases
from hub.errors import HubError
from hub.events import repository
from hub.events.bus import SlowConsumer
from hub.events.models import CaseEvent
from hub.graphql import slots
from hub.graphql.context import Context, Operation
from hub.policy.categories import DataCategory
from hub.policy.visible import Visible

REPLAY_BATCH = 200
DELIVERY_WAIT = 60.0


class SlowConsumerError(HubError):
    code = "SLOW_CONSUMER"


class TooManyReplays(HubError):
    code = "TOO_MANY_REPLAYS"


async def _replay(context: Context, after: int) -> AsyncIterator[CaseEvent]:
    cursor = after
    while True:
        batch = await repository.after(context.pool, cursor, REPLAY_BATCH)
        for event in batch:
            yield event
            cursor = event.id
        if len(batch) < REPLAY_BATCH:
            return


async def deliveries(
    context: Context, after: int | None, case_id: uuid.UUID | None
) -> AsyncGenerator[tuple[CaseEvent, Visible[object]], None]:
    """Events the subscriber may see, in order, each with its case as the subscriber sees it.

    While the consumer handles a yielded event, an operation (session and loaders) of its
    own is current; it ends when the consumer asks for the next one.
    """
    user = slots.user(context.principal)
    limit = context.settings.max_replays
    if after is not None:
        # a replay reads the outbox from a cursor: one user may not run many at once
        if context.replays.full(user, limit):
            raise TooManyReplays(
                f"you already replay {limit} subscriptions from a cursor; wait for one to "
                "reach the live edge, or subscribe without after",
                limit=limit,
            )
        context.replays.take(user)
    replaying = after is not None

    def replayed() -> None:
        nonlocal replaying
        if replaying:
            replaying = False
            context.replays.give(user)

    bus = context.bus
    subscriber, live_from = bus.subscribe()
    last = after if after is not None else live_from
    token: Token[Operation | None] | None = None
    try:

        async def candidates() -> AsyncIterator[CaseEvent]:
            if after is not None:
                async for event in _replay(context, after):
                    yield event
            replayed()
            while True:
                try:
                    yield await subscriber.next()
                except SlowConsumer:
                    raise SlowConsumerError(
                        "you fell too far behind and were disconnected; subscribe again "
                        "with after set to your last cursor",
                        cursor=str(last),
                    ) from None

        async for event in candidates():
            if token is not None:
                await context.end_operation(token)
                token = None
            if event.id <= last:
                continue  # delivered by the replay already
            last = event.id
            if event.case_id is None or (case_id is not None and event.case_id != case_id):
                continue
            # a burst of deliveries queues for connections rather than failing: a
            # subscriber that got UNAVAILABLE would have to resubscribe
            token = context.begin(
                readonly=True, acquire_timeout=DELIVERY_WAIT, audit_kind=AuditKind.DELIVERY
            )
            context.audit.details = {"eventId": event.id, "event": event.type.value}
            visible = await cases.visible_one(context.actor, event.case_id)
            if visible is None or not visible.view.allows(DataCategory.CASE_STATUS):
                # an event says that something happened to a case: CASE_STATUS
                await context.end_operation(token)
                token = None
                continue
            yield event, visible  # type: ignore[misc]
    finally:
        replayed()
        bus.unsubscribe(subscriber)
        if token is not None:
            await context.end_operation(token)
