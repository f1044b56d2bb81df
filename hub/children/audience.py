"""Who will read what you write: for one child and one category, every organisation that
may read it now, under which rule. Shown beside free-text inputs, so a residence that
writes "HVB Solbacken" into a last-seen place sees that an NGO with a sightings consent
will read it, though PLACEMENT is kept from it. Organisations, never person names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hub.actor import Actor
from hub.children.service import NO_CHILD, visible_one
from hub.consents import repository as consents
from hub.errors import NotFound
from hub.organisations.models import Organisation
from hub.policy.actions import Action
from hub.policy.categories import DataCategory


@dataclass(frozen=True, slots=True)
class Reader:
    organisation: Organisation
    condition: str  # the rule's condition, "(samtycke)" where a consent opens it
    basis: str
    purpose: str


async def audience(
    actor: Actor, child_id: uuid.UUID | None, category: DataCategory
) -> list[Reader]:
    """NOT_FOUND unless the child is visible; FORBIDDEN unless actions.csv lets the caller
    see audiences (those who write the child's data)."""
    visible = await visible_one(actor, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    facts = visible.row.facts
    actor.policy.authorize(actor.principal, Action.AUDIENCE, facts)
    consented = await consents.active_by_recipient(actor.db, visible.row.id)
    readers = []
    for org, purpose, rule in actor.policy.readers(
        actor.registry.all(), facts, category, consented
    ):
        consented_to = " (samtycke)" if rule.condition == "with_consent" else ""
        readers.append(Reader(org, rule.condition + consented_to, rule.basis, purpose.value))
    return readers
