"""The directory's Query field and setContactPoints."""

from __future__ import annotations

import strawberry

from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.organisations import service
from hub.organisations.types import OrganisationType, SetContactPointsInput, SetContactPointsPayload
from hub.policy.actions import Action


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="The organisations of the county network.")
    def organisations(self, info: Info) -> list[OrganisationType]:
        return [OrganisationType.of(o) for o in service.directory(info.context.actor)]


@strawberry.type
class OrganisationMutation:
    @mutation(
        Action.SET_CONTACT_POINTS,
        "Your organisation's admin replaces its contact points (whom to call).",
    )
    async def set_contact_points(
        self, info: Info, input: SetContactPointsInput
    ) -> SetContactPointsPayload:
        org = await service.set_contact_points(
            info.context.actor,
            str(input.organisation_id),
            [p.to_model() for p in input.contact_points],
        )
        return SetContactPointsPayload(organisation=OrganisationType.of(org))
