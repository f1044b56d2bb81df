"""Rules for statistics: who may ask, what a valid question is, which cells to suppress."""

from __future__ import annotations

from datetime import date, timedelta

from hub.auth.principal import Principal
from hub.db.session import Session
from hub.errors import InvalidInput
from hub.policy.engine import Policy
from hub.statistics import repository
from hub.statistics.models import SUPPRESS_BELOW, Cell, Dimension

MAX_RANGE = timedelta(days=366 * 10)


async def cells(
    db: Session,
    policy: Policy,
    principal: Principal,
    start: date,
    end: date,
    dimensions: list[Dimension],
) -> list[Cell]:
    policy.authorize(principal, "statistics", None)
    if start > end:
        raise InvalidInput("from is after to", field="from")
    if end - start > MAX_RANGE:
        raise InvalidInput("ask for at most ten years at a time", field="to")
    if not dimensions or len(set(dimensions)) != len(dimensions):
        raise InvalidInput(
            "groupBy names each dimension at most once, and at least one", field="groupBy"
        )
    counted = await repository.episodes(db, start, end, dimensions)
    return [
        Cell(
            values=tuple(zip(dimensions, values, strict=True)),
            count=n if n >= SUPPRESS_BELOW else None,
        )
        for values, n in counted
    ]
