"""The child mutations: one resolver each, calling one command."""

from __future__ import annotations

import uuid
from datetime import date

import strawberry

from hub.children import commands, service
from hub.children.commands import ChildActor
from hub.children.models import NewChild
from hub.children.types import ChildType, RiskLevelType, SexType
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.policy.actions import Action


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


def _actor(info: Info) -> ChildActor:
    ctx = info.context
    return ChildActor(ctx.session, ctx.policy, ctx.principal, ctx.routines, ctx.registry)


async def _child(info: Info, child_id: uuid.UUID) -> ChildType | None:
    ctx = info.context
    await ctx.session.flush()
    visible = await service.visible_one(ctx.session, ctx.policy, ctx.principal, child_id)
    return ChildType.of(visible) if visible else None


@strawberry.type
class ChildMutation:
    @mutation(
        Action.REGISTER_CHILD,
        "The responsible municipality registers a child.",
    )
    async def register_child(self, info: Info, input: RegisterChildInput) -> RegisterChildPayload:
        child_id = await commands.register(
            _actor(info),
            NewChild(
                given_name=input.given_name,
                family_name=input.family_name,
                birth_date=input.birth_date,
                sex=input.sex,
                nationality=input.nationality,
                languages=input.languages,
                dossier_number=input.dossier_number,
                responsible_municipality_id=input.responsible_municipality_id,
                residence_id=input.residence_id,
                placement_address=input.placement_address,
                guardian_sub=input.guardian_sub,
            ),
        )
        return RegisterChildPayload(child=await _child(info, child_id))

    @mutation(
        Action.UPDATE_DESCRIPTION,
        "Fill in the signalement; a photo by URL or inline.",
    )
    async def update_description(
        self, info: Info, input: UpdateDescriptionInput
    ) -> UpdateDescriptionPayload:
        child_id = await commands.update_description(
            _actor(info),
            parse_id(input.child_id),
            input.changes(),
            (input.photo.content_type, input.photo.data) if input.photo else None,
        )
        return UpdateDescriptionPayload(child=await _child(info, child_id))

    @mutation(
        Action.RECORD_RISK_ASSESSMENT,
        "Social services record a risk assessment.",
    )
    async def record_risk_assessment(
        self, info: Info, input: RecordRiskAssessmentInput
    ) -> RecordRiskAssessmentPayload:
        child_id = await commands.record_risk(
            _actor(info),
            parse_id(input.child_id),
            input.risk_level,
            input.indicators,
            input.assessment,
        )
        return RecordRiskAssessmentPayload(child=await _child(info, child_id))
