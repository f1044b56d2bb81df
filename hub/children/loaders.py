from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.auth.principal import Principal
from hub.children import history_repository as history
from hub.children import service
from hub.children.history_repository import DescriptionVersion
from hub.children.models import Child
from hub.db.session import Session
from hub.policy.engine import Policy
from hub.policy.visible import Visible


def child_by_id(
    db: Session, policy: Policy, principal: Principal
) -> DataLoader[uuid.UUID, Visible[Child] | None]:
    async def load(ids: Sequence[uuid.UUID]) -> list[Visible[Child] | None]:
        found = await service.visible_by_ids(db, policy, principal, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def description_history_by_child(
    db: Session,
) -> DataLoader[uuid.UUID, list[DescriptionVersion]]:
    """Of children the caller already holds as visible."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[DescriptionVersion]]:
        found = await history.by_children(db, list(ids))
        return [found[i] for i in ids]

    return DataLoader(load_fn=load)
