from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from hub.consents import repository
from hub.consents.models import Consent
from hub.db.session import Session


def consents_by_child(db: Session) -> DataLoader[uuid.UUID, list[Consent]]:
    """Consents of children the caller already holds as visible and may manage."""

    async def load(ids: Sequence[uuid.UUID]) -> list[list[Consent]]:
        found = await repository.by_children(db, list(ids))
        return [found.get(i, []) for i in ids]

    return DataLoader(load_fn=load)
