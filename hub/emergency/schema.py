from __future__ import annotations

import strawberry

from hub.emergency import service
from hub.emergency.models import Reason
from hub.emergency.types import (
    GrantType,
    RequestEmergencyAccessInput,
    RequestEmergencyAccessPayload,
    ReviewEmergencyAccessInput,
    ReviewEmergencyAccessPayload,
)
from hub.errors import NotFound
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import Connection, connection, page_request
from hub.policy.actions import Action


@strawberry.type
class EmergencyQuery:
    @strawberry.field(
        description="Emergency access to review, newest first (auditors): an organisation's "
        "auditor sees its own people's and those on the children it is responsible for."
    )
    async def emergency_access_grants(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        unreviewed_only: bool = False,
    ) -> Connection[GrantType]:
        ctx = info.context
        request = page_request(first, after)
        rows, total = await service.grants(
            ctx.actor,
            unreviewed_only=unreviewed_only,
            request=request,
        )
        return connection(rows, request, total, node=GrantType.of, row_id=lambda g: g.id)


@strawberry.type
class EmergencyMutation:
    @mutation(
        Action.REQUEST_EMERGENCY_ACCESS,
        "Open one withheld category of one case for a short time "
        "(nödåtkomst); the reason is in the audit trail and is reviewed.",
    )
    async def request_emergency_access(
        self, info: Info, input: RequestEmergencyAccessInput
    ) -> RequestEmergencyAccessPayload:
        from hub.cases import service as cases
        from hub.cases.types import CaseType

        ctx = info.context
        case_id = await service.request(
            ctx.actor,
            case_id=parse_id(input.case_id),
            category=input.category,
            reason=Reason(input.reason_kind, input.reason, input.reference),
            minutes=ctx.settings.emergency_minutes,
        )
        visible = await cases.visible_one(ctx.actor, case_id)
        if visible is None:
            raise NotFound(service.NO_CASE)
        return RequestEmergencyAccessPayload(case=CaseType.of(visible))

    @mutation(
        Action.REVIEW_EMERGENCY_ACCESS,
        "An auditor's verdict on one emergency access.",
    )
    async def review_emergency_access(
        self, info: Info, input: ReviewEmergencyAccessInput
    ) -> ReviewEmergencyAccessPayload:
        ctx = info.context
        grant = await service.review(
            ctx.actor,
            grant_id=parse_id(input.grant_id),
            verdict=input.verdict,
            note=input.note,
        )
        return ReviewEmergencyAccessPayload(grant=GrantType.of(grant))
