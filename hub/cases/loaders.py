from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.actor import Actor
from hub.cases import service
from hub.cases.models import Case, Sighting
from hub.policy.visible import Visible


def case_by_id(actor: Actor) -> DataLoader[uuid.UUID, Visible[Case] | None]:
    async def load(ids: Sequence[uuid.UUID]) -> list[Visible[Case] | None]:
        found = await service.visible_by_ids(actor, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def cases_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[Visible[Case]]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Visible[Case]]]:
        found = await service.visible_by_children(actor, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


def sightings_by_case(actor: Actor) -> DataLoader[uuid.UUID, list[Sighting]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Sighting]]:
        found = await service.sightings(actor, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)
