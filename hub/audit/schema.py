from __future__ import annotations

import strawberry

from hub.audit import service
from hub.audit.types import (
    AccessSummaryType,
    AuditEntryConnection,
    AuditFilterInput,
    ChainVerificationType,
    decode_seq,
)
from hub.errors import InvalidInput
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import DEFAULT_PAGE, MAX_PAGE


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
            ctx.session,
            ctx.policy,
            ctx.principal,
            ctx.audit,
            (filter or AuditFilterInput()).model(),
            first=size,
            after_seq=decode_seq(after) if after else None,
        )
        return AuditEntryConnection.of(rows, size, total)

    @strawberry.field(description="Who accessed this child's data, which categories, when.")
    async def access_report(self, info: Info, child_id: strawberry.ID) -> list[AccessSummaryType]:
        ctx = info.context
        child = parse_id(child_id)
        if child is None:
            raise InvalidInput("childId is not an id the hub issued", field="childId")
        found = await service.access_report(
            ctx.session, ctx.policy, ctx.principal, ctx.audit, child
        )
        return [AccessSummaryType.of(s) for s in found]

    @strawberry.field(description="Re-hash the whole audit trail and report the first broken link.")
    async def verify_audit_chain(self, info: Info) -> ChainVerificationType:
        ctx = info.context
        service.require_auditor(ctx.policy, ctx.principal)
        return ChainVerificationType.of(await service.verify_with(ctx.pool))
