"""Rules for consent and emergency access. No SQL, no GraphQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hub.actor import Actor
from hub.children import service as children
from hub.consents import repository
from hub.consents.models import Consent
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox
from hub.events.models import EventType, NewEvent
from hub.organisations.models import Organisation
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.facts import RowFacts

NO_CHILD = "no child with this id"
NO_CASE = "no case with this id"
NO_CONSENT = "no consent with this id"
MIN_REASON = 10


async def of_children(actor: Actor, child_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Consent]]:
    """Consents of children the actor already holds as visible and may manage."""
    return await repository.by_children(actor.db, child_ids)


async def grant(
    actor: Actor,
    *,
    child_id: uuid.UUID | None,
    recipient_id: str,
    categories: list[DataCategory],
    valid_until: datetime | None,
) -> Consent:
    visible = await children.visible_one(actor, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    actor.policy.authorize(actor.principal, Action.GRANT_CONSENT, visible.row.facts)
    recipient = await actor.registry.get(recipient_id)
    if recipient is None:
        raise InvalidInput("no organisation with this id", field="recipientOrganisationId")
    if not categories:
        raise InvalidInput("name at least one category", field="categories")
    _refuse_void(actor, recipient, visible.row.facts, categories)
    if valid_until is not None and valid_until <= datetime.now(UTC):
        raise InvalidInput("validUntil must be in the future", field="validUntil")
    consent = await repository.insert(
        actor.db,
        child_id=visible.row.id,
        recipient=recipient_id,
        categories=sorted({c.value for c in categories}),
        valid_until=valid_until,
        sub=actor.principal.sub,
        organisation_id=actor.principal.organisation_id,
    )
    await _changed(actor, consent, "granted")
    return consent


async def _changed(actor: Actor, consent: Consent, change: str) -> None:
    await outbox.record(
        actor.db,
        [
            NewEvent.by(
                actor.principal,
                EventType.CONSENT_CHANGED,
                child_id=consent.child_id,
                case_id=None,
                consentId=str(consent.id),
                change=change,
                recipient=consent.recipient_organisation_id,
            )
        ],
    )


def _refuse_void(
    actor: Actor, recipient: Organisation, facts: RowFacts, categories: list[DataCategory]
) -> None:
    """INVALID_INPUT for categories no consent can open to the recipient: a god man must
    not believe he shared what the law keeps back."""
    policy = actor.policy
    void = {c: r for c in categories if (r := policy.consent_void(recipient, facts, c))}
    if void:
        named = ", ".join(f"{c.value} ({r.source}: {r.basis})" for c, r in void.items())
        raise InvalidInput(
            f"a consent cannot open these to {recipient.name}: {named}",
            field="categories",
            categories=sorted(c.value for c in void),
            rules=sorted({r.source for r in void.values()}),
        )


def effective_categories(
    actor: Actor, recipient: Organisation, facts: RowFacts, categories: tuple[str, ...]
) -> list[DataCategory]:
    """The consent's categories a consent can open to its recipient at all."""
    named = [DataCategory(c) for c in categories]
    return [c for c in named if actor.policy.consent_void(recipient, facts, c) is None]


async def revoke(actor: Actor, consent_id: uuid.UUID | None) -> Consent:
    consent = await repository.get_for_update(actor.db, consent_id) if consent_id else None
    if consent is None:
        raise NotFound(NO_CONSENT)
    visible = await children.visible_one(actor, consent.child_id)
    if visible is None or not actor.policy.may(
        actor.principal, Action.REVOKE_CONSENT, visible.row.facts
    ):
        raise NotFound(NO_CONSENT)  # a consent you may not manage looks like none at all
    if consent.revoked_at is not None:
        raise Conflict("this consent was already revoked")
    revoked = await repository.revoke(actor.db, consent.id, actor.principal.sub)
    await _changed(actor, revoked, "revoked")
    return revoked
