from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from hub.cases.types import CaseType
from hub.errors import InvalidInput
from hub.events import service, subscription
from hub.events.cohorts import cohort_key
from hub.events.service import parse_cursor
from hub.events.subscription import Taken
from hub.events.types import (
    CaseEventType,
    Inbox,
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    NotificationType,
)
from hub.graphql import frames
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.precomputed import Precomputed
from hub.policy.actions import Action


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Events of the cases you may see, in order, each "
        "exactly once: from `after` (a cursor) if given, then live."
    )
    async def case_events(
        self, info: Info, after: str | None = None, case_id: strawberry.ID | None = None
    ) -> AsyncGenerator[CaseEventType, None]:
        own_frames = frames.current()  # graphql-transport-ws: cohort answers written directly
        cursor = parse_cursor(after, "after") if after is not None else None
        if own_frames is not None and own_frames.resume_after is not None:
            cursor = own_frames.resume_after  # a parked subscription resumed where it was
        only = None
        if case_id is not None:
            only = parse_id(case_id)
            if only is None:
                raise InvalidInput("caseId is not a case id", field="caseId")
        acknowledged = info.context.routines.acknowledge
        key = (
            None
            if not info.context.settings.cohorts
            else cohort_key(
                info.context.principal,
                info.operation,
                info._raw_info.fragments,
                info.variable_values,
            )
        )
        found = subscription.deliveries(info.context, cursor, only, key, own=own_frames)
        # closed with this generator, in its context: left to the garbage collector, its
        # operation would end in whatever context the collector ran in
        async with aclosing(found):
            async for event, visible in found:
                if isinstance(visible, Taken):  # the cohort's answer, sent by us
                    assert own_frames is not None
                    await own_frames.next(info.context, visible.answer, visible.audit)
                    continue
                if isinstance(visible, Precomputed):  # the cohort's answer, as it stands
                    yield visible  # type: ignore[misc]
                    continue
                case = CaseType.of(visible)  # type: ignore[arg-type]
                yield CaseEventType.of(event, acknowledged, case=case)


def _ids(values: list[strawberry.ID]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise InvalidInput("ids are notification ids", field="ids") from None


async def _inbox(info: Info, first: int, after: str | None, unread_only: bool) -> Inbox:
    before = _ids([strawberry.ID(after)])[0] if after is not None else None
    found, unread = await service.my_notifications(info.context.actor, before, unread_only, first)
    return Inbox(unread=unread, notifications=[NotificationType.of(n) for n in found])


@strawberry.type
class InboxQuery:
    @strawberry.field(
        description="Your inbox: task due, overdue, escalated, a transfer asked of you, a "
        "contact reported; newest first, `after` a notification's id."
    )
    async def my_notifications(
        self,
        info: Info,
        first: int = 20,
        after: strawberry.ID | None = None,
        unread_only: bool = False,
    ) -> Inbox:
        return await _inbox(info, first, after, unread_only)


@strawberry.type
class InboxMutation:
    @mutation(Action.MARK_NOTIFICATIONS_READ, "Mark notifications of yours as read.")
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        await service.mark_read(info.context.actor, _ids(input.ids))
        return MarkNotificationsReadPayload(inbox=await _inbox(info, 20, None, False))
