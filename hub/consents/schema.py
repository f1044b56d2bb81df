from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.consents import service
from hub.consents.types import (
    ConsentType,
    GrantConsentInput,
    GrantConsentPayload,
    RequestEmergencyAccessInput,
    RevokeConsentInput,
    RevokeConsentPayload,
)
from hub.errors import NotFound
from hub.graphql.context import Info
from hub.graphql.ids import parse_id

if TYPE_CHECKING:
    from hub.cases.types import CaseType


@strawberry.type
class RequestEmergencyAccessPayload:
    case: Annotated[CaseType, strawberry.lazy("hub.cases.types")]


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(description="Record a consent (guardian or responsible municipality).")
    async def grant_consent(self, info: Info, input: GrantConsentInput) -> GrantConsentPayload:
        ctx = info.context
        consent = await service.grant(
            ctx.session,
            ctx.policy,
            ctx.registry,
            ctx.principal,
            child_id=parse_id(input.child_id),
            recipient_id=input.recipient_organisation_id,
            categories=list(input.categories),
            valid_until=input.valid_until,
        )
        return GrantConsentPayload(consent=ConsentType.of(consent, datetime.now(UTC)))

    @strawberry.mutation(description="Revoke a consent; effective at once.")
    async def revoke_consent(self, info: Info, input: RevokeConsentInput) -> RevokeConsentPayload:
        ctx = info.context
        consent = await service.revoke(
            ctx.session, ctx.policy, ctx.principal, parse_id(input.consent_id)
        )
        return RevokeConsentPayload(consent=ConsentType.of(consent, datetime.now(UTC)))

    @strawberry.mutation(
        description="Open one withheld category of one case for a short time "
        "(nödåtkomst); the reason is reviewed."
    )
    async def request_emergency_access(
        self, info: Info, input: RequestEmergencyAccessInput
    ) -> RequestEmergencyAccessPayload:
        from hub.cases import service as cases
        from hub.cases.types import CaseType

        ctx = info.context
        case_id = await service.request_emergency(
            ctx.session,
            ctx.policy,
            ctx.principal,
            case_id=parse_id(input.case_id),
            category=input.category,
            reason=input.reason,
            minutes=ctx.settings.emergency_minutes,
        )
        visible = await cases.visible_one(ctx.session, ctx.policy, ctx.principal, case_id)
        if visible is None:
            raise NotFound(service.NO_CASE)
        return RequestEmergencyAccessPayload(case=CaseType.of(visible))
