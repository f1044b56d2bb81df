from __future__ import annotations

from datetime import datetime

import strawberry

from hub.consents import service
from hub.consents.models import Consent
from hub.graphql.categories import DataCategoryType
from hub.graphql.context import Info
from hub.organisations.types import OrganisationType


@strawberry.type(
    name="Consent",
    description="A samtycke: opens categories of one child to one organisation, for a time.",
)
class ConsentType:
    id: strawberry.ID
    child_id: strawberry.ID
    categories: list[DataCategoryType]  # type: ignore[valid-type]
    valid_from: datetime
    valid_until: datetime | None
    granted_at: datetime
    revoked_at: datetime | None
    active: bool
    row: strawberry.Private[Consent]

    @strawberry.field(
        description="Of its categories, those a consent can open to the recipient at all "
        "(the rest the policy keeps back whatever a consent says)."
    )
    async def effective_categories(self, info: Info) -> list[DataCategoryType]:  # type: ignore[valid-type]
        ctx = info.context
        child = await ctx.load.child.load(self.row.child_id)
        recipient = await ctx.registry.get(self.row.recipient_organisation_id)
        if child is None or recipient is None:
            return []
        return service.effective_categories(
            ctx.actor, recipient, child.row.facts, self.row.categories
        )

    @strawberry.field(description="The organisation the consent opens data to.")
    async def recipient(self, info: Info) -> OrganisationType | None:
        org = await info.context.registry.get(self.row.recipient_organisation_id)
        return OrganisationType.of(org) if org else None

    @classmethod
    def of(cls, consent: Consent, now: datetime) -> ConsentType:
        return cls(
            id=strawberry.ID(str(consent.id)),
            child_id=strawberry.ID(str(consent.child_id)),
            categories=list(consent.categories),
            valid_from=consent.valid_from,
            valid_until=consent.valid_until,
            granted_at=consent.granted_at,
            revoked_at=consent.revoked_at,
            active=consent.active(now),
            row=consent,
        )


@strawberry.input
class GrantConsentInput:
    child_id: strawberry.ID
    recipient_organisation_id: strawberry.ID
    categories: list[DataCategoryType]  # type: ignore[valid-type]
    valid_until: datetime | None = None


@strawberry.type
class GrantConsentPayload:
    consent: ConsentType


@strawberry.input
class RevokeConsentInput:
    consent_id: strawberry.ID


@strawberry.type
class RevokeConsentPayload:
    consent: ConsentType
