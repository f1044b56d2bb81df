"""All SQL about the history of a child's description (signalement)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from hub.children.models import Description
from hub.db.session import Db


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
