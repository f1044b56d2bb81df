from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.graphql.context import Info
from hub.statistics import service
from hub.statistics.types import DimensionType, StatisticsCell


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Episodes opened between from and to (inclusive), counted by "
        "the chosen dimensions. No identities; small cells suppressed."
    )
    async def statistics(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        group_by: list[DimensionType],  # type: ignore[valid-type]
    ) -> list[StatisticsCell]:
        ctx = info.context
        found = await service.cells(
            ctx.session, ctx.policy, ctx.principal, from_, to, list(group_by)
        )
        return [StatisticsCell.of(c) for c in found]
