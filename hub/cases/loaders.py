from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.auth.principal import Principal
from hub.cases import service
from hub.cases.models import Case, Sighting
from hub.db.session import Session
from hub.policy.engine import Policy
from hub.policy.visible import Visible


def case_by_id(
    db: Session, policy: Policy, principal: Principal
) -> DataLoader[uuid.UUID, Visible[Case] | None]:
    async def load(ids: Sequence[uuid.UUID]) -> list[Visible[Case] | None]:
        found = await service.visible_by_ids(db, policy, principal, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def cases_by_child(
    db: Session, policy: Policy, principal: Principal
) -> DataLoader[uuid.UUID, list[Visible[Case]]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Visible[Case]]]:
        found = await service.visible_by_children(db, policy, principal, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)


def sightings_by_case(db: Session) -> DataLoader[uuid.UUID, list[Sighting]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Sighting]]:
        found = await service.sightings(db, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)
