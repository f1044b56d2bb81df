from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.actor import Actor
from hub.organisations import service
from hub.organisations.models import ContactPoint


def contact_points_by_organisation(actor: Actor) -> DataLoader[str, list[ContactPoint]]:
    async def load(ids: Sequence[str]) -> list[list[ContactPoint]]:
        found = await service.contact_points(actor, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)
