from __future__ import annotations

import strawberry

from hub.audit import service, verifier
from hub.audit.types import (
    AccessSummaryType,
    AuditEntryConnection,
    AuditFilterInput,
    ChainVerificationType,
    RequestFullAuditVerificationInput,
    RequestFullAuditVerificationPayload,
    decode_position,
)
from hub.auth.principal import Role
from hub.children import service as children
from hub.errors import InvalidInput
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import DEFAULT_PAGE, MAX_PAGE
from hub.policy.actions import Action


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description="The audit trail, newest first (auditors). An organisation's auditor "
        "sees its own accesses and those to children it is responsible for."
    )
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditFilterInput | None = None,
    ) -> AuditEntryConnection:
        ctx = info.context
        size = DEFAULT_PAGE if first is None else first
        if not 0 <= size <= MAX_PAGE:
            raise InvalidInput(f"first must be between 0 and {MAX_PAGE}", field="first")
        rows, total = await service.page(
            ctx.actor,
            (filter or AuditFilterInput()).model(),
            first=size,
            after=decode_position(after) if after else None,
        )
        return AuditEntryConnection.of(rows, size, total)

    @strawberry.field(
        description="Who accessed this child's data, which categories, when: for auditors, "
        "and (without person names) for the child's god man and responsible municipality."
    )
    async def access_report(self, info: Info, child_id: strawberry.ID) -> list[AccessSummaryType]:
        ctx = info.context
        child = parse_id(child_id)
        if child is None:
            raise InvalidInput("childId is not an id the hub issued", field="childId")
        if Role.AUDITOR in ctx.principal.roles:
            found = await service.access_report(ctx.actor, child)
        else:  # the god man, the responsible municipality: their ward's log, no names
            found = await children.ward_access_report(ctx.actor, child)
        return [AccessSummaryType.of(s) for s in found]

    @strawberry.field(
        description="The latest verification of the audit chain (it runs in the background; "
        "the county board's auditor may ask for a full run)."
    )
    async def verify_audit_chain(self, info: Info) -> ChainVerificationType:
        ctx = info.context
        assert ctx.verifier is not None, "the runtime makes the verifier"
        latest = await verifier.answer(ctx.verifier, ctx.policy, ctx.principal, ctx.audit)
        return ChainVerificationType.of(latest.result, latest.finished_at, latest.full)


@strawberry.type
class AuditMutation:
    @mutation(
        Action.REQUEST_FULL_AUDIT_VERIFICATION,
        "Re-hash the whole audit trail in the background (the county board's "
        "auditor); verifyAuditChain answers the result when it has finished.",
    )
    async def request_full_audit_verification(
        self, info: Info, input: RequestFullAuditVerificationInput
    ) -> RequestFullAuditVerificationPayload:
        ctx = info.context
        assert ctx.verifier is not None, "the runtime makes the verifier"
        queued = await verifier.ask_full(
            ctx.verifier, ctx.policy, ctx.principal, ctx.audit, input.reason
        )
        return RequestFullAuditVerificationPayload(queued=queued)
