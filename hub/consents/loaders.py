from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.actor import Actor
from hub.consents import service
from hub.consents.models import Consent


def consents_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[Consent]]:
    """Consents of children the caller already holds as visible and may manage."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[Consent]]:
        found = await service.of_children(actor, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)
