from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.actor import Actor
from hub.routines import service
from hub.routines.models import Task


def tasks_by_case(actor: Actor) -> DataLoader[uuid.UUID, list[Task]]:
    """Tasks of cases the caller already holds as visible."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[Task]]:
        found = await service.of_cases(actor, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)
