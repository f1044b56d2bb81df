from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from hub.graphql.context import Info
from hub.statistics import service
from hub.statistics.types import ChartLabel, DimensionType, StatisticsCell


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

    @strawberry.field(
        description="The same published cells for one dimension, drawn as an SVG image "
        "(stacked bars, a bar per month, a colour per value; no script): `labels` names the "
        "values in the reader's language. Audited as the statistics question it answers."
    )
    async def statistics_chart(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        dimension: DimensionType,  # type: ignore[valid-type]
        title: str = "",
        labels: list[ChartLabel] | None = None,
    ) -> str:
        named = {label.value: label.label for label in labels or []}
        return await service.stacked_chart(info.context.actor, from_, to, dimension, title, named)
