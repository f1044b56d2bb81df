from __future__ import annotations

import strawberry

from hub.graphql.context import Info
from hub.organisations.types import OrganisationType


@strawberry.type(description="The caller, as the hub understood its token.")
class Me:
    sub: str
    name: str | None
    roles: list[str]
    purpose: str
    organisation: OrganisationType


@strawberry.type
class MeQuery:
    @strawberry.field(description="Who the hub thinks you are.")
    def me(self, info: Info) -> Me:
        p = info.context.principal
        return Me(
            sub=p.sub,
            name=p.name,
            roles=sorted(r.value for r in p.roles),
            purpose=p.purpose.value,
            organisation=OrganisationType.of(p.organisation),
        )
