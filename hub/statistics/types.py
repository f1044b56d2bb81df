from __future__ import annotations

import strawberry

from hub.graphql.categories import bounded
from hub.statistics.models import MAX_DIMENSIONS, Cell, Dimension
from hub.statistics.perturbation import SUPPRESS_BELOW

DimensionType = strawberry.enum(Dimension, name="StatisticsDimension")


@strawberry.type
class StatisticsValue:
    dimension: DimensionType  # type: ignore[valid-type]
    value: str


@strawberry.type(
    description="Episodes opened in one calendar month with these values. The count is "
    "perturbed (cell key method: the same episodes always give the same count); cells "
    f"whose count would be under {SUPPRESS_BELOW} are not listed at all."
)
class StatisticsCell:
    period: str = strawberry.field(description="The calendar month, YYYY-MM.")
    values: list[StatisticsValue] = bounded(MAX_DIMENSIONS)
    count: int | None = strawberry.field(description="Never null: small cells are left out.")
    suppressed: bool = strawberry.field(
        description="Always false: suppressed cells are left out, not listed."
    )

    @classmethod
    def of(cls, cell: Cell) -> StatisticsCell:
        return cls(
            period=cell.period,
            values=[StatisticsValue(dimension=d, value=v) for d, v in cell.values],
            count=cell.count,
            suppressed=False,
        )


@strawberry.input(description="How a chart names one value of its dimension.")
class ChartLabel:
    value: str
    label: str
