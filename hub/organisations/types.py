from __future__ import annotations

from enum import Enum

import strawberry

from hub.events.models import Person
from hub.graphql.categories import bounded
from hub.graphql.context import Info
from hub.organisations.models import ContactPoint, Organisation, OrganisationKind

OrganisationKindType = strawberry.enum(OrganisationKind, name="OrganisationKind")
MAX_CONTACT_POINTS = 10


@strawberry.type(name="ContactPoint", description="Whom to call at an organisation.")
class ContactPointType:
    label: str
    phone: str | None
    email: str | None
    hours: str | None = strawberry.field(description="When it answers, e.g. 'dygnet runt'.")
    on_call: bool = strawberry.field(description="The on-call line (socialjour, night phone).")

    @classmethod
    def of(cls, point: ContactPoint) -> ContactPointType:
        return cls(
            label=point.label,
            phone=point.phone,
            email=point.email,
            hours=point.hours,
            on_call=point.on_call,
        )


@strawberry.input(name="ContactPointInput")
class ContactPointInput:
    label: str
    phone: str | None = None
    email: str | None = None
    hours: str | None = None
    on_call: bool = False

    def to_model(self) -> ContactPoint:
        return ContactPoint(self.label, self.phone, self.email, self.hours, self.on_call)


@strawberry.type(name="Organisation", description="An agency in the county network.")
class OrganisationType:
    id: strawberry.ID
    kind: OrganisationKindType  # type: ignore[valid-type]
    name: str

    @bounded(MAX_CONTACT_POINTS, "Whom to call there; organisational data, open to everyone.")
    async def contact_points(self, info: Info) -> list[ContactPointType]:
        found = await info.context.load.contact_points.load(str(self.id))
        return [ContactPointType.of(p) for p in found]

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationType:
        return cls(
            id=strawberry.ID(organisation.id), kind=organisation.kind, name=organisation.name
        )


@strawberry.type(name="Person", description="Who acted: a staff member, by name and role.")
class PersonType:
    name: str | None = strawberry.field(description="From the token; null for the hub itself.")
    role: str | None
    organisation: OrganisationType | None

    @classmethod
    async def named(cls, info: Info, person: Person) -> PersonType:
        """The person, with their organisation as the registry knows it."""
        org_id = person.organisation_id
        return cls.of(person, await info.context.registry.get(org_id) if org_id else None)

    @classmethod
    def of(cls, person: Person, organisation: Organisation | None) -> PersonType:
        return cls(
            name=person.name,
            role=person.role,
            organisation=OrganisationType.of(organisation) if organisation else None,
        )


@strawberry.input
class SetContactPointsInput:
    organisation_id: strawberry.ID
    contact_points: list[ContactPointInput]


@strawberry.type
class SetContactPointsPayload:
    organisation: OrganisationType


@strawberry.enum(description="Why an organisation is on a case's list of whom to call.")
class ContactRole(Enum):
    RESPONSIBLE_MUNICIPALITY = "RESPONSIBLE_MUNICIPALITY"
    RESIDENCE = "RESIDENCE"
    GUARDIAN = "GUARDIAN"
    POLICE = "POLICE"


@strawberry.type(description="Whom to call about a case, and how.")
class CaseContact:
    role: ContactRole
    organisation: OrganisationType
    person: str | None = strawberry.field(
        description="The god man's name, where you may see the child's identity."
    )

    @bounded(MAX_CONTACT_POINTS, "Its contact points; on-call lines first.")
    async def contact_points(self, info: Info) -> list[ContactPointType]:
        found = await info.context.load.contact_points.load(str(self.organisation.id))
        ordered = sorted(found, key=lambda p: not p.on_call)
        return [ContactPointType.of(p) for p in ordered]
