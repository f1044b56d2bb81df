"""Rules for statistics: who may ask, what a valid question is, what may be published.

Whole calendar months, at most two dimensions, one cell per month and values, each
perturbed by the cell key method and left out when small (see
`hub.statistics.perturbation`). Every question is recorded in the audit trail.
"""

from __future__ import annotations

import calendar
from datetime import date

from hub.actor import Actor
from hub.audit.models import AuditKind
from hub.errors import InvalidInput
from hub.policy.actions import Action
from hub.statistics import chart, perturbation, repository
from hub.statistics.models import MAX_DIMENSIONS, Cell, Dimension

MAX_MONTHS = 120
_SECRET = "statistics-record-key"


def _check_months(start: date, end: date) -> None:
    """Whole calendar months, in order, at most MAX_MONTHS of them."""
    if start.day != 1:
        raise InvalidInput("from must be the first day of a month", field="from")
    if end.day != calendar.monthrange(end.year, end.month)[1]:
        raise InvalidInput("to must be the last day of a month", field="to")
    if start > end:
        raise InvalidInput("from is after to", field="from")
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > MAX_MONTHS:
        raise InvalidInput(f"ask for at most {MAX_MONTHS} months at a time", field="to")


async def cells(
    actor: Actor,
    start: date,
    end: date,
    dimensions: list[Dimension],
) -> list[Cell]:
    actor.policy.authorize(actor.principal, Action.STATISTICS, None)
    _check_months(start, end)
    if not 0 < len(dimensions) <= MAX_DIMENSIONS or len(set(dimensions)) != len(dimensions):
        raise InvalidInput(
            f"groupBy names one or {MAX_DIMENSIONS} different dimensions", field="groupBy"
        )
    actor.audit.record(
        AuditKind.READ,
        Action.STATISTICS,
        details={"from": start.isoformat(), "to": end.isoformat(), "groupBy": dimensions},
    )
    key = await repository.secret(actor.db, _SECRET)
    found = []
    for (period, values), ids in (
        await repository.episodes(actor.db, start, end, dimensions)
    ).items():
        count = perturbation.published([perturbation.record_key(key, i) for i in ids])
        if count is not None:
            found.append(Cell(period, tuple(zip(dimensions, values, strict=True)), count))
    return found


MAX_LABELS = 200
MAX_TITLE = 200


async def stacked_chart(
    actor: Actor,
    start: date,
    end: date,
    dimension: Dimension,
    title: str,
    labels: dict[str, str],
) -> str:
    """The cells of one dimension, month by month, as an SVG drawing: what `cells` answers,
    drawn (and recorded as the same question)."""
    if len(labels) > MAX_LABELS:
        raise InvalidInput(f"give at most {MAX_LABELS} labels", field="labels")
    if len(title) > MAX_TITLE or any(len(v) > MAX_TITLE for v in labels.values()):
        raise InvalidInput(f"titles and labels are at most {MAX_TITLE} characters", field="title")
    found = await cells(actor, start, end, [dimension])
    return chart.stacked_by_month(found, title, labels, chart.months_between(start, end))
