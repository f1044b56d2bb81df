"""Deliver case events to one subscriber: replay from a cursor, then live, each redacted.

Authorization happens at delivery: for each event the case is read anew through the same
policy path as a query, with its own short transaction (which also writes the delivery's
audit record before the event is sent), so a consent revoked a second ago
already counts, and an event about a case the subscriber may not see is skipped without a
trace. The subscriber is registered with the bus before the replay starts and skips ids it
has already delivered, so there is no gap and no duplicate at the seam.

Subscribers who would receive the same answer form a cohort (`hub.events.cohorts`): the
first to reach an event works it out as above and the others take its answer, each with
its own audit record, written before the answer is sent. On graphql-transport-ws one of
them leads and the others, once at the live edge, park (`hub.events.parked`): their
cohort's task delivers the leader's answers to them, and they resume here when it cannot.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from contextlib import aclosing
from contextvars import Token
from dataclasses import dataclass

from hub.audit.models import AuditKind
from hub.audit.recorder import Recorder, Shared
from hub.cases import service as cases
from hub.emergency import service as emergency
from hub.errors import HubError
from hub.events import repository
from hub.events.bus import SlowConsumer, SlowConsumerError
from hub.events.cohorts import CohortKey, Slot
from hub.events.models import CaseEvent
from hub.events.parked import Group, Member
from hub.graphql import slots
from hub.graphql.context import Context, Operation
from hub.graphql.frames import Frames
from hub.graphql.precomputed import Precomputed
from hub.policy.categories import DataCategory
from hub.policy.visible import Visible

REPLAY_BATCH = 200
DELIVERY_WAIT = 60.0


class TooManyReplays(HubError):
    code = "TOO_MANY_REPLAYS"


async def _replay(context: Context, after: int) -> AsyncGenerator[CaseEvent, None]:
    cursor = after
    while True:
        batch = await repository.after(context.pool, cursor, REPLAY_BATCH)
        for event in batch:
            yield event
            cursor = event.id
        if len(batch) < REPLAY_BATCH:
            return


@dataclass(frozen=True, slots=True)
class Taken:
    """A cohort's answer taken by a member that sends it itself (`hub.graphql.frames`),
    with the member's own audit record, to be written before the answer is sent."""

    answer: Precomputed
    audit: Recorder


async def deliveries(
    context: Context,
    after: int | None,
    case_id: uuid.UUID | None,
    key: CohortKey | None = None,
    *,
    own: Frames | None = None,
) -> AsyncGenerator[tuple[CaseEvent, Visible[object] | Precomputed | Taken], None]:
    """Events the subscriber may see, in order, each with its case as the subscriber sees it
    (or, taken from its cohort's leader, the answer itself).

    While the consumer handles a yielded event, an operation (session and loaders) of its
    own is current; it ends when the consumer asks for the next one. A consumer with
    frames of its `own` (graphql-transport-ws) gets a taken answer as `Taken`, with no
    operation, just its record, and sends it itself; at the live edge, while another
    leads its cohort, it parks: the generator ends and the cohort's task serves it.
    """
    user = slots.user(context.principal)
    limit = context.settings.max_replays
    resumed = own is not None and own.resume_after is not None
    if after is not None and not resumed:
        # a replay reads the outbox from a cursor: one user may not run many at once
        if context.replays.full(user, limit):
            raise TooManyReplays(
                f"you already replay {limit} subscriptions from a cursor; wait for one to "
                "reach the live edge, or subscribe without after",
                limit=limit,
            )
        context.replays.take(user)
    replaying = after is not None and not resumed

    def replayed() -> None:
        nonlocal replaying
        if replaying:
            replaying = False
            context.replays.give(user)

    bus = context.bus
    subscriber, live_from = bus.subscribe()
    last = after if after is not None else live_from
    current: _Delivery | None = None  # the operation of the event the consumer holds
    leading: Slot | None = None  # the event this subscriber works out for its cohort
    sends = own is not None
    group: Group | None = None

    def behind() -> bool:
        return not subscriber.caught_up

    if own is not None and key is not None:
        group = context.parking.group(key)
        group.lead(own, behind)

    def parked() -> bool:
        """At the live edge: lead the cohort if no one does, else park here."""
        if own is None or group is None or not own.can_park or not subscriber.caught_up:
            return False
        if group.lead(own, behind):
            return False
        audit = context.audit.sibling(AuditKind.DELIVERY)
        member = Member(own, group, context.principal.sub, last, audit)
        group.park(member)
        own.park()
        own.handler.parked[own.operation.id] = member
        return True

    async def candidates() -> AsyncGenerator[CaseEvent, None]:
        if after is not None:
            async with aclosing(_replay(context, after)) as replay:
                async for event in replay:
                    yield event
        replayed()
        while True:
            if parked():
                return
            try:
                yield await subscriber.next()
            except SlowConsumer:
                raise SlowConsumerError(last) from None

    events = candidates()
    try:
        async for event in events:
            if leading is not None:
                leading.abandon()  # published already, unless its answer never went out
                leading = None
            if current is not None:
                ending, current = current, None
                await ending.end(context)
            if event.id <= last:
                continue  # delivered by the replay already
            last = event.id
            if event.case_id is None or (case_id is not None and event.case_id != case_id):
                continue
            sub = context.principal.sub
            slot: Slot | None = None
            if key is not None:
                # ours to fill (we lead), or the cohort's answer, or neither: work it out alone
                slot, answer = await context.cohorts.take(key, event.id, sub)
                if group is not None and own is not None and group.leader is own.operation:
                    if slot is not None:
                        group.forward(event, slot)
                    elif answer is not None:
                        group.forward(event, answer)
                    else:  # it works the event out alone: its view is its own
                        group.step_down(own.operation)
                if answer is not None:
                    if not answer.shown:
                        continue
                    assert answer.result is not None
                    context.cohorts.shared += 1
                    if sends:
                        audit = context.recorder(AuditKind.DELIVERY)
                        _adopted(audit, event, answer.disclosures)
                        yield event, Taken(answer.result, audit)
                        continue
                    current = _Delivery.begin(context, event, resolves=False)
                    _adopted(context.audit, event, answer.disclosures)
                    yield event, answer.result
                    continue
            # a burst of deliveries queues for connections rather than failing: a
            # subscriber that got UNAVAILABLE would have to resubscribe
            current = _Delivery.begin(context, event, slot)
            if slot is not None:
                leading = slot
                slot.personal = await emergency.holders_in_my_organisation(
                    context.actor, event.case_id
                )
                if sub in slot.personal:
                    slot.abandon()  # this view is the leader's own
            visible = await cases.visible_one(context.actor, event.case_id)
            if visible is None or not visible.view.allows(DataCategory.CASE_STATUS):
                # an event says that something happened to a case: CASE_STATUS
                if slot is not None:
                    slot.not_shown()
                ending, current = current, None
                await ending.end(context)
                continue
            yield event, visible  # type: ignore[misc]
    finally:
        if group is not None and own is not None:
            group.step_down(own.operation)  # if it led: a parked member leads from here
        if leading is not None:
            leading.abandon()  # its members work the event out alone
        await events.aclose()
        replayed()
        bus.unsubscribe(subscriber)
        if current is not None:
            await current.end(context)


def _adopted(audit: Recorder, event: CaseEvent, disclosures: Shared | None) -> None:
    audit.details = _details(event)
    if disclosures is not None:
        audit.adopt(disclosures)


def _details(event: CaseEvent) -> dict[str, object]:
    return {"eventId": event.id, "event": event.type.value}


@dataclass(frozen=True, slots=True)
class _Delivery:
    """The operation (session, loaders, audit record) of one event's delivery."""

    token: Token[Operation | None]
    operation: Operation

    @staticmethod
    def begin(
        context: Context, event: CaseEvent, slot: Slot | None = None, *, resolves: bool = True
    ) -> _Delivery:
        token = context.begin(
            readonly=True,
            acquire_timeout=DELIVERY_WAIT,
            audit_kind=AuditKind.DELIVERY,
            publisher=slot,
            resolves=resolves,
        )
        context.audit.details = _details(event)
        return _Delivery(token, context.operation)

    async def end(self, context: Context) -> None:
        await context.end_operation(self.token, self.operation)
