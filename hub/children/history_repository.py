"""All SQL about a child's histories: descriptions (signalement), risk assessments,
placements. Callers pass children already known to be visible."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from hub.children.models import Description, Placement, RiskAssessment, RiskLevel
from hub.db.session import Db
from hub.events.models import Person


@dataclass(frozen=True, slots=True)
class DescriptionVersion:
    """A description as it was until `replaced_at`, when `replaced_by` changed it."""

    description: Description
    replaced_at: datetime
    replaced_by: str  # organisation id


_KEEP = """
INSERT INTO description_history (child_id, description, replaced_by_org) VALUES ($1, $2, $3)
"""
_BY_CHILDREN = """
SELECT child_id, description, replaced_at, replaced_by_org FROM description_history
 WHERE child_id = ANY($1::uuid[]) ORDER BY child_id, id DESC
"""


async def keep(db: Db, child_id: uuid.UUID, previous: Description, by: str) -> None:
    await db.execute(_KEEP, child_id, asdict(previous), by)


async def by_children(
    db: Db, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DescriptionVersion]]:
    """Newest first: each child's earlier descriptions (callers pass visible children)."""
    found: dict[uuid.UUID, list[DescriptionVersion]] = {i: [] for i in child_ids}
    for row in await db.fetch(_BY_CHILDREN, list(child_ids)):
        found[row["child_id"]].append(
            DescriptionVersion(
                Description(**row["description"]), row["replaced_at"], row["replaced_by_org"]
            )
        )
    return found


_RISKS = """
SELECT child_id, level, indicators, assessment, assessed_at, assessed_by_organisation_id,
       assessed_by_name, assessed_by_role
  FROM risk_assessments WHERE child_id = ANY($1::uuid[]) ORDER BY child_id, assessed_at DESC
"""
_PLACEMENTS = """
SELECT child_id, residence_id, placement_address, from_at, to_at FROM placements
 WHERE child_id = ANY($1::uuid[]) ORDER BY child_id, from_at DESC
"""


async def risk_assessments(
    db: Db, child_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[RiskAssessment]]:
    """Newest first; the newest is the child's current level."""
    found: dict[uuid.UUID, list[RiskAssessment]] = {i: [] for i in child_ids}
    for row in await db.fetch(_RISKS, list(child_ids)):
        by = Person(
            row["assessed_by_name"], row["assessed_by_role"], row["assessed_by_organisation_id"]
        )
        found[row["child_id"]].append(
            RiskAssessment(
                RiskLevel(row["level"]),
                tuple(row["indicators"]),
                row["assessment"],
                row["assessed_at"],
                by,
            )
        )
    return found


async def placements(db: Db, child_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Placement]]:
    """Newest first; the open one (no `to_at`) is where the child lives now."""
    found: dict[uuid.UUID, list[Placement]] = {i: [] for i in child_ids}
    for row in await db.fetch(_PLACEMENTS, list(child_ids)):
        found[row["child_id"]].append(
            Placement(row["residence_id"], row["placement_address"], row["from_at"], row["to_at"])
        )
    return found
