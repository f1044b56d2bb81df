"""The `audience` query and its type: who may read a category of a child now, and why."""

from __future__ import annotations

import strawberry

from hub.children import audience
from hub.graphql.categories import ORGANISATIONS, DataCategoryType, bounded
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.organisations.types import OrganisationType


@strawberry.type(name="Audience", description="An organisation that may read it, and why.")
class AudienceType:
    organisation: OrganisationType
    condition: str = strawberry.field(description="The rule's condition, e.g. while_missing.")
    basis: str = strawberry.field(description="The legal basis the rule names.")
    purpose: str

    @classmethod
    def of(cls, reader: audience.Reader) -> AudienceType:
        return cls(
            organisation=OrganisationType.of(reader.organisation),
            condition=reader.condition,
            basis=reader.basis,
            purpose=reader.purpose,
        )


@strawberry.type
class AudienceQuery:
    @bounded(
        2 * ORGANISATIONS,
        "Who may read this category of this child now, under which rule (organisations, "
        "never names): show it beside what you write.",
    )
    async def audience(
        self,
        info: Info,
        child_id: strawberry.ID,
        category: DataCategoryType,  # type: ignore[valid-type]
    ) -> list[AudienceType]:
        found = await audience.audience(info.context.actor, parse_id(child_id), category)
        return [AudienceType.of(r) for r in found]
