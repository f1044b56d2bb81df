"""The GraphQL types of a child's histories and handovers: placements, risk assessments,
the god man, transfers of responsibility, contact reports."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.children.lookup_repository import ContactReport
from hub.children.models import Placement, RiskAssessment, RiskLevel, Transfer, TransferStatus
from hub.graphql.context import Info
from hub.organisations.types import OrganisationType, PersonType

TransferStatusType = strawberry.enum(TransferStatus, name="TransferStatus")
RiskLevelType = strawberry.enum(RiskLevel, name="RiskLevel")


async def _organisation(info: Info, organisation_id: str | None) -> OrganisationType | None:
    if organisation_id is None:
        return None
    found = await info.context.registry.get(organisation_id)
    return OrganisationType.of(found) if found else None


@strawberry.type(name="Placement", description="Where the child lived, from when to when.")
class PlacementType:
    placement_address: str | None
    from_: datetime = strawberry.field(name="from")
    to: datetime | None = strawberry.field(description="Null for the current placement.")
    row: strawberry.Private[Placement]

    @strawberry.field
    async def residence(self, info: Info) -> OrganisationType | None:
        return await _organisation(info, self.row.residence_id)

    @classmethod
    def of(cls, p: Placement) -> PlacementType:
        return cls(placement_address=p.placement_address, from_=p.from_at, to=p.to_at, row=p)


@strawberry.type(name="RiskAssessment", description="Social services' assessment of the risk.")
class RiskAssessmentType:
    level: RiskLevelType  # type: ignore[valid-type]
    indicators: list[str]
    assessment: str | None
    assessed_at: datetime
    row: strawberry.Private[RiskAssessment]

    @strawberry.field
    async def assessed_by(self, info: Info) -> PersonType:
        return await PersonType.named(info, self.row.assessed_by)

    @classmethod
    def of(cls, r: RiskAssessment) -> RiskAssessmentType:
        return cls(
            level=r.level,
            indicators=list(r.indicators),
            assessment=r.assessment,
            assessed_at=r.assessed_at,
            row=r,
        )


@strawberry.type(name="Guardian", description="The child's god man.")
class GuardianType:
    name: str | None = strawberry.field(description="As the appointment recorded it.")


@strawberry.type(
    name="Transfer", description="Responsibility for a child passing between municipalities."
)
class TransferType:
    id: strawberry.ID
    status: TransferStatusType  # type: ignore[valid-type]
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    decline_reason: str | None
    row: strawberry.Private[Transfer]

    @strawberry.field(name="from")
    async def from_(self, info: Info) -> OrganisationType | None:
        return await _organisation(info, self.row.from_municipality_id)

    @strawberry.field
    async def to(self, info: Info) -> OrganisationType | None:
        return await _organisation(info, self.row.to_municipality_id)

    @strawberry.field(description="The child's id (its data only as far as you may see it).")
    def child_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.child_id))

    @classmethod
    def of(cls, t: Transfer) -> TransferType:
        return cls(
            id=strawberry.ID(str(t.id)),
            status=t.status,
            reason=t.reason,
            requested_at=t.requested_at,
            decided_at=t.decided_at,
            decline_reason=t.decline_reason,
            row=t,
        )


@strawberry.type(
    name="ContactReport", description="Someone who may not see the child met it, and said so."
)
class ContactReportType:
    seen_at: datetime
    place: str
    kind: str = strawberry.field(description="SEEN, SPOKE_WITH or REPORTED_BY_OTHERS.")
    note: str | None
    callback_phone: str | None
    willing_to_talk: bool | None
    basis: str = strawberry.field(description="The legal basis it reached you on.")
    row: strawberry.Private[ContactReport]

    @strawberry.field
    async def reported_by(self, info: Info) -> PersonType:
        return await PersonType.named(info, self.row.reported_by)

    @classmethod
    def of(cls, r: ContactReport) -> ContactReportType:
        return cls(
            seen_at=r.seen_at,
            place=r.place,
            kind=r.kind.value,
            note=r.note,
            callback_phone=r.callback_phone,
            willing_to_talk=r.willing_to_talk,
            basis=r.basis,
            row=r,
        )
