from __future__ import annotations

import strawberry

from hub.organisations.models import Organisation, OrganisationKind

OrganisationKindType = strawberry.enum(OrganisationKind, name="OrganisationKind")


@strawberry.type(name="Organisation", description="An agency in the county network.")
class OrganisationType:
    id: strawberry.ID
    kind: OrganisationKindType  # type: ignore[valid-type]
    name: str

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationType:
        return cls(
            id=strawberry.ID(organisation.id), kind=organisation.kind, name=organisation.name
        )
