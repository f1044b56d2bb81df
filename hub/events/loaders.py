from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.actor import Actor
from hub.events import service
from hub.events.models import CaseEvent


def acknowledged_by_caller(actor: Actor) -> DataLoader[int, bool]:
    """Whether the caller's organisation has acknowledged an event (of a case it sees)."""

    async def load(ids: Sequence[int]) -> list[bool]:
        found = await service.acknowledged_by_caller(actor, list(ids))
        return [i in found for i in ids]

    return DataLoader(load_fn=load)


def events_by_case(actor: Actor) -> DataLoader[uuid.UUID, list[CaseEvent]]:
    """Events of cases the caller already holds as visible."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[CaseEvent]]:
        found = await service.of_cases(actor, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)
