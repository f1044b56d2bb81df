from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import strawberry

from hub.consents import service
from hub.consents.types import (
    ConsentType,
    GrantConsentInput,
    GrantConsentPayload,
    RevokeConsentInput,
    RevokeConsentPayload,
)
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.policy.actions import Action

if TYPE_CHECKING:
    pass


@strawberry.type
class ConsentMutation:
    @mutation(
        Action.GRANT_CONSENT,
        "Record a consent (guardian or responsible municipality).",
    )
    async def grant_consent(self, info: Info, input: GrantConsentInput) -> GrantConsentPayload:
        ctx = info.context
        consent = await service.grant(
            ctx.actor,
            child_id=parse_id(input.child_id),
            recipient_id=input.recipient_organisation_id,
            categories=list(input.categories),
            valid_until=input.valid_until,
        )
        return GrantConsentPayload(consent=ConsentType.of(consent, datetime.now(UTC)))

    @mutation(
        Action.REVOKE_CONSENT,
        "Revoke a consent; effective at once.",
    )
    async def revoke_consent(self, info: Info, input: RevokeConsentInput) -> RevokeConsentPayload:
        ctx = info.context
        consent = await service.revoke(ctx.actor, parse_id(input.consent_id))
        return RevokeConsentPayload(consent=ConsentType.of(consent, datetime.now(UTC)))
