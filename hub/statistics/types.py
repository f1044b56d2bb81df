from __future__ import annotations

import strawberry

from hub.statistics.models import SUPPRESS_BELOW, Cell, Dimension

DimensionType = strawberry.enum(Dimension, name="StatisticsDimension")


@strawberry.type
class StatisticsValue:
    dimension: DimensionType  # type: ignore[valid-type]
    value: str


@strawberry.type(description=f"One cell; counts under {SUPPRESS_BELOW} are suppressed (null).")
class StatisticsCell:
    values: list[StatisticsValue]
    count: int | None
    suppressed: bool

    @classmethod
    def of(cls, cell: Cell) -> StatisticsCell:
        return cls(
            values=[StatisticsValue(dimension=d, value=v) for d, v in cell.values],
            count=cell.count,
            suppressed=cell.suppressed,
        )
