"""The children's Query fields and the child mutations: one resolver each, calling the
service."""

from __future__ import annotations

import uuid

import strawberry

from hub.children import search, service
from hub.children.models import ChildFilter, NewChild
from hub.children.types import (
    ChildFilterInput,
    ChildType,
    RecordRiskAssessmentInput,
    RecordRiskAssessmentPayload,
    RegisterChildInput,
    RegisterChildPayload,
    UpdateDescriptionInput,
    UpdateDescriptionPayload,
)
from hub.errors import InvalidInput
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import Connection, connection, page_request
from hub.policy.actions import Action


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
        given = filter or ChildFilterInput()
        if given.search is not None:
            _alone(given, after)
            rows, total = await search.search(ctx.actor, given.search, request.limit)
        else:
            rows, total = await service.page(ctx.actor, given.to_model(), request)
        return connection(rows, request, total, node=ChildType.of, row_id=lambda v: v.row.id)


def _alone(given: ChildFilterInput, after: str | None) -> None:
    if after is not None:
        raise InvalidInput(
            "a search answers in one ranked page: narrow it, or ask for more with first",
            field="after",
        )
    if given.to_model() != ChildFilter():
        raise InvalidInput("search is not combined with the other filters", field="filter")


async def child_after(info: Info, child_id: uuid.UUID) -> ChildType | None:
    ctx = info.context
    await ctx.session.flush()
    visible = await service.visible_one(ctx.actor, child_id)
    return ChildType.of(visible) if visible else None


@strawberry.type
class ChildMutation:
    @mutation(
        Action.REGISTER_CHILD,
        "The responsible municipality registers a child.",
    )
    async def register_child(self, info: Info, input: RegisterChildInput) -> RegisterChildPayload:
        child_id = await service.register(
            info.context.actor,
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
            confirm_not_duplicate=input.confirm_not_duplicate,
        )
        return RegisterChildPayload(child=await child_after(info, child_id))

    @mutation(
        Action.UPDATE_DESCRIPTION,
        "Fill in the signalement; a photo by URL or inline.",
    )
    async def update_description(
        self, info: Info, input: UpdateDescriptionInput
    ) -> UpdateDescriptionPayload:
        child_id = await service.update_description(
            info.context.actor,
            parse_id(input.child_id),
            input.changes(),
            (input.photo.content_type, input.photo.data) if input.photo else None,
        )
        return UpdateDescriptionPayload(child=await child_after(info, child_id))

    @mutation(
        Action.RECORD_RISK_ASSESSMENT,
        "Social services record a risk assessment.",
    )
    async def record_risk_assessment(
        self, info: Info, input: RecordRiskAssessmentInput
    ) -> RecordRiskAssessmentPayload:
        child_id = await service.record_risk(
            info.context.actor,
            parse_id(input.child_id),
            input.risk_level,
            input.indicators,
            input.assessment,
        )
        return RecordRiskAssessmentPayload(child=await child_after(info, child_id))
