from __future__ import annotations

import strawberry

from hub.cases import service
from hub.cases.types import CaseFilterInput, CaseType
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import Connection, connection, page_request
from hub.graphql.settled import selects


@strawberry.type
class CaseQuery:
    @strawberry.field(name="case", description="A case, or null when absent or not visible.")
    async def case(self, info: Info, id: strawberry.ID) -> CaseType | None:
        case_id = parse_id(id)
        if case_id is None:
            return None
        found = await info.context.load.case.load(case_id)
        if found is None:
            info.context.audit.unseen(case_id=case_id)
            return None
        return CaseType.of(found)

    @strawberry.field(description="Cases the caller may see, newest first.")
    async def cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CaseFilterInput | None = None,
    ) -> Connection[CaseType]:
        ctx = info.context
        request = page_request(first, after)
        where = (filter or CaseFilterInput()).to_model()
        rows, total = await service.page(ctx.session, ctx.policy, ctx.principal, where, request)
        if selects(info, "edges", "node", "child"):  # one batch, then each row answers at once
            await ctx.load.child.load_many([v.row.child_id for v in rows])
        return connection(rows, request, total, node=CaseType.of, row_id=lambda v: v.row.id)
