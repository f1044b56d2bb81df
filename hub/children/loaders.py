from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.actor import Actor
from hub.children import handover, lookup, service
from hub.children.history_repository import DescriptionVersion
from hub.children.lookup_repository import ContactReport
from hub.children.models import Child, Placement, RiskAssessment, Transfer
from hub.policy.visible import Visible


def child_by_id(actor: Actor) -> DataLoader[uuid.UUID, Visible[Child] | None]:
    async def load(ids: Sequence[uuid.UUID]) -> list[Visible[Child] | None]:
        found = await service.visible_by_ids(actor, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def description_history_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[DescriptionVersion]]:
    """Of children the actor already holds as visible."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[DescriptionVersion]]:
        found = await service.description_history(actor, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)


def placements_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[Placement]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Placement]]:
        found = await service.placements(actor, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)


def risk_assessments_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[RiskAssessment]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[RiskAssessment]]:
        found = await service.risk_assessments(actor, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)


def transfers_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[Transfer]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Transfer]]:
        found = await handover.transfers_of_children(actor, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)


def contact_reports_by_child(actor: Actor) -> DataLoader[uuid.UUID, list[ContactReport]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[ContactReport]]:
        found = await lookup.reports_of_children(actor, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)
