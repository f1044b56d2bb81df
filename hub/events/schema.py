from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from hub.cases.types import CaseType
from hub.errors import InvalidInput
from hub.events import subscription
from hub.events.service import parse_cursor
from hub.events.types import CaseEventType
from hub.graphql.context import Info
from hub.graphql.ids import parse_id


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Events of the cases you may see, in order, each "
        "exactly once: from `after` (a cursor) if given, then live."
    )
    async def case_events(
        self, info: Info, after: str | None = None, case_id: strawberry.ID | None = None
    ) -> AsyncGenerator[CaseEventType, None]:
        cursor = parse_cursor(after, "after") if after is not None else None
        only = None
        if case_id is not None:
            only = parse_id(case_id)
            if only is None:
                raise InvalidInput("caseId is not a case id", field="caseId")
        acknowledged = info.context.routines.acknowledge
        async for event, visible in subscription.deliveries(info.context, cursor, only):
            case = CaseType.of(visible)  # type: ignore[arg-type]
            yield CaseEventType.of(event, acknowledged, case=case)
