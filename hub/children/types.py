from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.children.handover_types import (
    ContactReportType,
    GuardianType,
    PlacementType,
    RiskAssessmentType,
    RiskLevelType,
    TransferType,
)
from hub.children.models import Child, ChildFilter, Sex
from hub.children.models import Description as DescriptionModel
from hub.graphql.categories import (
    CATEGORY_COUNT,
    Withheld,
    bounded,
    masked,
    shared,
    shared_resolver,
)
from hub.graphql.context import Info
from hub.organisations.types import OrganisationType
from hub.policy.actions import Action
from hub.policy.categories import DataCategory as C
from hub.policy.view import RowView
from hub.policy.visible import Visible

if TYPE_CHECKING:
    from hub.cases.types import CaseType
    from hub.consents.types import ConsentType

SexType = strawberry.enum(Sex, name="Sex")


MAX_CASES = 100
MAX_HISTORY = 100
MAX_CONSENTS = 100
MAX_CONTACTS = 50


@strawberry.type(description="The signalement: what searchers need to recognise the child.")
class Description:
    height_cm: int | None
    build: str | None
    hair: str | None
    eyes: str | None
    marks: str | None
    clothing: str | None
    photo_url: str | None

    @classmethod
    def of(cls, d: DescriptionModel) -> Description:
        return cls(
            height_cm=d.height_cm,
            build=d.build,
            hair=d.hair,
            eyes=d.eyes,
            marks=d.marks,
            clothing=d.clothing,
            photo_url=d.photo_url,
        )


@strawberry.type(description="A description as it was before it was changed.")
class DescriptionVersion:
    description: Description
    replaced_at: datetime = strawberry.field(description="When it was replaced.")
    replaced_by: OrganisationType | None = strawberry.field(
        description="The organisation that replaced it."
    )


@strawberry.type
class Contact:
    kind: str
    value: str
    note: str | None


@strawberry.type(name="Child", description="An unaccompanied child; fields are masked by category.")
class ChildType:
    id: strawberry.ID
    given_name: str | None = shared(C.IDENTITY)
    family_name: str | None = shared(C.IDENTITY)
    birth_date: date | None = shared(C.IDENTITY)
    sex: SexType | None = shared(C.IDENTITY)  # type: ignore[valid-type]
    nationality: str | None = shared(C.IDENTITY)
    languages: list[str] | None = shared(C.IDENTITY)
    dossier_number: str | None = shared(C.IDENTITY, "Migrationsverket's dossier number.")
    placement_address: str | None = shared(C.PLACEMENT)
    description: Description | None = shared(C.DESCRIPTION)
    contacts: list[Contact] | None = shared(C.CONTACTS, max_items=MAX_CONTACTS)
    asylum_status: str | None = shared(C.ASYLUM)
    health: str | None = shared(C.HEALTH)
    risk_level: RiskLevelType | None = shared(C.RISK)  # type: ignore[valid-type]
    risk_indicators: list[str] | None = shared(C.RISK)
    risk_assessment: str | None = shared(C.RISK)
    withheld: list[Withheld] = bounded(
        CATEGORY_COUNT, "Each category held back from the caller, once, with the reason."
    )
    view: strawberry.Private[RowView]
    row: strawberry.Private[Child]

    @shared_resolver(C.CASE_STATUS, "The municipality whose social services own the case.")
    async def responsible_municipality(self, info: Info) -> OrganisationType | None:
        org = await info.context.registry.get(self.row.responsible_municipality_id)
        return OrganisationType.of(org) if org else None

    @shared_resolver(C.PLACEMENT, "Where the child is placed (HVB home or supported housing).")
    async def residence(self, info: Info) -> OrganisationType | None:
        if self.row.residence_id is None:
            return None
        org = await info.context.registry.get(self.row.residence_id)
        return OrganisationType.of(org) if org else None

    @shared_resolver(C.PLACEMENT, f"Placements, newest first (the latest {MAX_HISTORY}).")
    async def placements(self, info: Info) -> list[PlacementType] | None:
        found = await info.context.load.placements.load(self.row.id)
        return [PlacementType.of(p) for p in found[:MAX_HISTORY]]

    @shared_resolver(C.RISK, f"Risk assessments, newest first (the latest {MAX_HISTORY}).")
    async def risk_assessments(self, info: Info) -> list[RiskAssessmentType] | None:
        found = await info.context.load.risk_assessments.load(self.row.id)
        return [RiskAssessmentType.of(r) for r in found[:MAX_HISTORY]]

    @shared_resolver(C.IDENTITY, "The god man; null when none is appointed.")
    async def guardian(self, info: Info) -> GuardianType | None:
        if self.row.guardian_sub is None:
            return None
        return GuardianType(name=self.row.guardian_name)

    @shared_resolver(
        C.SIGHTINGS,
        f"Meetings reported by those who may not see the child (the latest {MAX_HISTORY}).",
    )
    async def contact_reports(self, info: Info) -> list[ContactReportType] | None:
        found = await info.context.load.contact_reports.load(self.row.id)
        return [ContactReportType.of(r) for r in found[:MAX_HISTORY]]

    @shared_resolver(
        C.PLACEMENT,
        f"Handovers between municipalities, newest first (the latest {MAX_HISTORY}).",
    )
    async def transfers(self, info: Info) -> list[TransferType] | None:
        found = await info.context.load.transfers.load(self.row.id)
        return [TransferType.of(t) for t in found[:MAX_HISTORY]]

    @shared_resolver(
        C.CASE_STATUS,
        f"Missing episodes of this child that the caller may see, the latest {MAX_CASES}.",
        max_items=MAX_CASES,
    )
    async def cases(
        self, info: Info
    ) -> list[Annotated[CaseType, strawberry.lazy("hub.cases.types")]] | None:
        from hub.cases.types import CaseType

        found = await info.context.load.cases_of_child.load(self.row.id)
        return [CaseType.of(v) for v in found[:MAX_CASES]]

    @shared_resolver(
        C.DESCRIPTION, f"Earlier descriptions, the latest {MAX_HISTORY}.", max_items=MAX_HISTORY
    )
    async def description_history(self, info: Info) -> list[DescriptionVersion] | None:
        registry = info.context.registry
        versions = []
        for v in (await info.context.load.description_history.load(self.row.id))[:MAX_HISTORY]:
            by = await registry.get(v.replaced_by)
            versions.append(
                DescriptionVersion(
                    description=Description.of(v.description),
                    replaced_at=v.replaced_at,
                    replaced_by=OrganisationType.of(by) if by else None,
                )
            )
        return versions

    @bounded(MAX_CONSENTS, "Consents about this child; null unless you may manage them.")
    async def consents(
        self, info: Info
    ) -> list[Annotated[ConsentType, strawberry.lazy("hub.consents.types")]] | None:
        from hub.consents.types import ConsentType

        ctx = info.context
        if not ctx.policy.may(ctx.principal, Action.GRANT_CONSENT, self.row.facts):
            return None
        now = datetime.now(UTC)
        found = await ctx.load.consents.load(self.row.id)
        return [ConsentType.of(c, now) for c in found[:MAX_CONSENTS]]

    @classmethod
    def of_found(cls, visible: Visible[Child] | None) -> ChildType | None:
        return cls.of(visible) if visible else None

    @classmethod
    def of(cls, visible: Visible[Child]) -> ChildType:
        c = visible.row
        d = c.description
        return masked(
            cls,
            {
                "id": strawberry.ID(str(c.id)),
                "given_name": c.given_name,
                "family_name": c.family_name,
                "birth_date": c.birth_date,
                "sex": c.sex,
                "nationality": c.nationality,
                "languages": list(c.languages),
                "dossier_number": c.dossier_number,
                "placement_address": c.placement_address,
                "description": Description.of(d),
                "contacts": [
                    Contact(kind=k.kind, value=k.value, note=k.note)
                    for k in c.contacts[:MAX_CONTACTS]
                ],
                "asylum_status": c.asylum_status,
                "health": c.health,
                "risk_level": c.risk_level,
                "risk_indicators": list(c.risk_indicators),
                "risk_assessment": c.risk_assessment,
                "row": c,
            },
            visible.view,
            child_id=c.id,
        )


@strawberry.input(name="ChildFilter")
class ChildFilterInput:
    responsible_municipality_id: strawberry.ID | None = None
    residence_id: strawberry.ID | None = None
    has_open_case: bool | None = None
    search: str | None = strawberry.field(
        default=None,
        description="Names however spelled (Mohammed finds Muhammad), a birth date "
        "(YYYY-MM-DD) or year, a dossier number; best match first, in one page. Stands "
        "alone: not combined with the other filters or `after`.",
    )

    def to_model(self) -> ChildFilter:
        return ChildFilter(
            responsible_municipality_id=self.responsible_municipality_id,
            residence_id=self.residence_id,
            has_open_case=self.has_open_case,
        )


@strawberry.input
class RegisterChildInput:
    given_name: str
    family_name: str
    birth_date: date
    sex: SexType  # type: ignore[valid-type]
    nationality: str
    responsible_municipality_id: strawberry.ID
    languages: list[str] = strawberry.field(default_factory=list)
    dossier_number: str | None = None
    residence_id: strawberry.ID | None = None
    placement_address: str | None = None
    guardian_sub: str | None = strawberry.field(
        default=None, description="The god man's subject (sub) in their token."
    )
    confirm_not_duplicate: bool = strawberry.field(
        default=False,
        description="Register even though a child with a similar name and the same birth "
        "date exists (CONFLICT names the candidates you may see).",
    )


@strawberry.input(description="A photo sent inline: at most 2 MB of JPEG, PNG or WebP.")
class PhotoUpload:
    content_type: str
    data: str = strawberry.field(description="The file's bytes, base64-encoded.")


@strawberry.input
class UpdateDescriptionInput:
    """Only the fields given change; an explicit null clears one. The description they
    replace is kept (Child.descriptionHistory)."""

    child_id: strawberry.ID
    height_cm: int | None = strawberry.UNSET
    build: str | None = strawberry.UNSET
    hair: str | None = strawberry.UNSET
    eyes: str | None = strawberry.UNSET
    marks: str | None = strawberry.UNSET
    clothing: str | None = strawberry.UNSET
    photo_url: str | None = strawberry.UNSET
    photo: PhotoUpload | None = None

    def changes(self) -> dict[str, object]:
        fields = ("height_cm", "build", "hair", "eyes", "marks", "clothing", "photo_url")
        return {f: getattr(self, f) for f in fields if getattr(self, f) is not strawberry.UNSET}


@strawberry.input
class RecordRiskAssessmentInput:
    child_id: strawberry.ID
    risk_level: RiskLevelType  # type: ignore[valid-type]
    indicators: list[str] = strawberry.field(default_factory=list)
    assessment: str | None = None


@strawberry.type(description="The child after the change, as you may see it.")
class ChildPayload:
    child: ChildType | None


@strawberry.type
class RegisterChildPayload(ChildPayload):
    pass


@strawberry.type
class UpdateDescriptionPayload(ChildPayload):
    pass


@strawberry.type
class RecordRiskAssessmentPayload(ChildPayload):
    pass
