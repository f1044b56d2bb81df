"""Rules for consent and emergency access. No SQL, no GraphQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hub.auth.principal import Principal
from hub.children import service as children
from hub.consents import repository
from hub.consents.models import Consent
from hub.db.session import Session
from hub.errors import Conflict, InvalidInput, NotFound
from hub.events import outbox
from hub.events.models import EventType, NewEvent
from hub.organisations.registry import OrganisationRegistry
from hub.policy.actions import Action
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy

NO_CHILD = "no child with this id"
NO_CASE = "no case with this id"
NO_CONSENT = "no consent with this id"
MIN_REASON = 10


async def grant(
    db: Session,
    policy: Policy,
    registry: OrganisationRegistry,
    principal: Principal,
    *,
    child_id: uuid.UUID | None,
    recipient_id: str,
    categories: list[DataCategory],
    valid_until: datetime | None,
) -> Consent:
    visible = await children.visible_one(db, policy, principal, child_id)
    if visible is None:
        raise NotFound(NO_CHILD)
    policy.authorize(principal, Action.GRANT_CONSENT, visible.row.facts)
    if await registry.get(recipient_id) is None:
        raise InvalidInput("no organisation with this id", field="recipientOrganisationId")
    if not categories:
        raise InvalidInput("name at least one category", field="categories")
    if valid_until is not None and valid_until <= datetime.now(UTC):
        raise InvalidInput("validUntil must be in the future", field="validUntil")
    consent = await repository.insert(
        db,
        child_id=visible.row.id,
        recipient=recipient_id,
        categories=sorted({c.value for c in categories}),
        valid_until=valid_until,
        sub=principal.sub,
        organisation_id=principal.organisation_id,
    )
    await _changed(db, principal, consent, "granted")
    return consent


async def _changed(db: Session, principal: Principal, consent: Consent, change: str) -> None:
    await outbox.record(
        db,
        [
            NewEvent.by(
                principal,
                EventType.CONSENT_CHANGED,
                child_id=consent.child_id,
                case_id=None,
                consentId=str(consent.id),
                change=change,
                recipient=consent.recipient_organisation_id,
            )
        ],
    )


async def revoke(
    db: Session, policy: Policy, principal: Principal, consent_id: uuid.UUID | None
) -> Consent:
    consent = await repository.get_for_update(db, consent_id) if consent_id else None
    if consent is None:
        raise NotFound(NO_CONSENT)
    visible = await children.visible_one(db, policy, principal, consent.child_id)
    if visible is None or not policy.may(principal, Action.REVOKE_CONSENT, visible.row.facts):
        raise NotFound(NO_CONSENT)  # a consent you may not manage looks like none at all
    if consent.revoked_at is not None:
        raise Conflict("this consent was already revoked")
    revoked = await repository.revoke(db, consent.id, principal.sub)
    await _changed(db, principal, revoked, "revoked")
    return revoked
