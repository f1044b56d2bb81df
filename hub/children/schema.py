from __future__ import annotations

import strawberry

from hub.children import service
from hub.children.types import ChildFilterInput, ChildType
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import Connection, connection, page_request


@strawberry.type
class ChildQuery:
    @strawberry.field(description="A child, or null when it does not exist or is not visible.")
    async def child(self, info: Info, id: strawberry.ID) -> ChildType | None:
        child_id = parse_id(id)
        if child_id is None:
            return None
        found = await info.context.load.child.load(child_id)
        if found is None:
            info.context.audit.unseen(child_id=child_id)
            return None
        return ChildType.of(found)

    @strawberry.field(description="Children the caller may see, in registration order.")
    async def children(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ChildFilterInput | None = None,
    ) -> Connection[ChildType]:
        ctx = info.context
        request = page_request(first, after)
        where = (filter or ChildFilterInput()).to_model()
        rows, total = await service.page(ctx.session, ctx.policy, ctx.principal, where, request)
        return connection(rows, request, total, node=ChildType.of, row_id=lambda v: v.row.id)
