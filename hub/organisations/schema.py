from __future__ import annotations

import strawberry

from hub.graphql.context import Info
from hub.organisations import service
from hub.organisations.types import OrganisationType


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="The organisations of the county network.")
    def organisations(self, info: Info) -> list[OrganisationType]:
        return [OrganisationType.of(o) for o in service.directory(info.context.actor)]
