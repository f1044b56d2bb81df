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
        description="Episodes opened in each calendar month from `from` (a month's first "
        "day) to `to` (a month's last day), counted by one or two dimensions. No identities; "
        "counts perturbed, small cells left out. Every question is audited."
    )
    async def statistics(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        group_by: list[DimensionType],  # type: ignore[valid-type]
    ) -> list[StatisticsCell]:
        ctx = info.context
        found = await service.cells(ctx.actor, from_, to, list(group_by))
        return [StatisticsCell.of(c) for c in found]
