"""The cases' Query fields and the case mutations: one resolver each, calling the service."""

from __future__ import annotations

import uuid

import strawberry

from hub.cases import facts, service
from hub.cases.types import (
    AcknowledgeInput,
    AcknowledgePayload,
    AddSightingInput,
    AddSightingPayload,
    CaseFilterInput,
    CaseType,
    CloseCaseInput,
    CloseCasePayload,
    RecordReturnInterviewInput,
    RecordReturnInterviewPayload,
    RegisterAvvikenInput,
    RegisterAvvikenPayload,
    ReportAbsentInput,
    ReportAbsentPayload,
    ReportFoundInput,
    ReportFoundPayload,
    ReportMissingToPoliceInput,
    ReportMissingToPolicePayload,
)
from hub.events import service as events
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.graphql.pagination import Connection, connection, page_request
from hub.policy.actions import Action


@strawberry.type
class CaseQuery:
    @strawberry.field(name="case", description="A case, or null when absent or not visible.")
    async def case(self, info: Info, id: strawberry.ID) -> CaseType | None:
        case_id = parse_id(id)
        if case_id is None:
            return None
        found = await info.context.load.case.load(case_id)
        if found is None:
            info.context.audit.unseen(case_id=case_id)
            return None
        return CaseType.of(found)

    @strawberry.field(description="Cases the caller may see, newest first.")
    async def cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: CaseFilterInput | None = None,
    ) -> Connection[CaseType]:
        ctx = info.context
        request = page_request(first, after)
        where = (filter or CaseFilterInput()).to_model()
        rows, total = await service.page(ctx.actor, where, request)
        return connection(rows, request, total, node=CaseType.of, row_id=lambda v: v.row.id)


async def case_after(info: Info, case_id: uuid.UUID) -> CaseType | None:
    """The case after the change, read anew as the caller may see it."""
    ctx = info.context
    await ctx.session.flush()
    visible = await service.visible_one(ctx.actor, case_id)
    return CaseType.of(visible) if visible else None


@strawberry.type
class CaseMutation:
    @mutation(
        Action.REPORT_ABSENT,
        "The residence (or social services, or the god man) "
        "reports the child absent: opens a case in ABSENT.",
    )
    async def report_absent(self, info: Info, input: ReportAbsentInput) -> ReportAbsentPayload:
        case_id = await service.report_absent(
            info.context.actor,
            parse_id(input.child_id),
            input.last_seen_at,
            input.last_seen_place,
            input.circumstances,
        )
        return ReportAbsentPayload(case=await case_after(info, case_id))

    @mutation(
        Action.REPORT_MISSING_TO_POLICE,
        "Reported to the police: REPORTED_MISSING + report number.",
    )
    async def report_missing_to_police(
        self, info: Info, input: ReportMissingToPoliceInput
    ) -> ReportMissingToPolicePayload:
        case_id = await service.report_missing(
            info.context.actor,
            parse_id(input.case_id),
            input.police_report_number,
            input.expected_version,
            input.reason,
        )
        return ReportMissingToPolicePayload(case=await case_after(info, case_id))

    @mutation(
        Action.REGISTER_AVVIKEN,
        "Migrationsverket registers the child as avviken.",
    )
    async def register_avviken(
        self, info: Info, input: RegisterAvvikenInput
    ) -> RegisterAvvikenPayload:
        case_id = await facts.register_avviken(info.context.actor, parse_id(input.case_id))
        return RegisterAvvikenPayload(case=await case_after(info, case_id))

    @mutation(
        Action.ADD_SIGHTING,
        "Someone saw the child: time, place, note.",
    )
    async def add_sighting(self, info: Info, input: AddSightingInput) -> AddSightingPayload:
        case_id = await facts.add_sighting(
            info.context.actor,
            parse_id(input.case_id),
            input.seen_at,
            input.place,
            input.note,
            input.kind,
            input.callback_phone,
        )
        return AddSightingPayload(case=await case_after(info, case_id))

    @mutation(
        Action.REPORT_FOUND,
        "The child is found (påträffad): FOUND.",
    )
    async def report_found(self, info: Info, input: ReportFoundInput) -> ReportFoundPayload:
        case_id = await service.report_found(
            info.context.actor,
            parse_id(input.case_id),
            input.found_at,
            input.place,
            input.expected_version,
            input.reason,
        )
        return ReportFoundPayload(case=await case_after(info, case_id))

    @mutation(
        Action.RECORD_RETURN_INTERVIEW,
        "The återkomstsamtal is held: FOLLOW_UP.",
    )
    async def record_return_interview(
        self, info: Info, input: RecordReturnInterviewInput
    ) -> RecordReturnInterviewPayload:
        case_id = await service.record_return_interview(
            info.context.actor,
            parse_id(input.case_id),
            input.summary,
            input.expected_version,
            input.reason,
        )
        return RecordReturnInterviewPayload(case=await case_after(info, case_id))

    @mutation(
        Action.CLOSE_CASE,
        "Close the case with an outcome: CLOSED.",
    )
    async def close_case(self, info: Info, input: CloseCaseInput) -> CloseCasePayload:
        case_id = await service.close_case(
            info.context.actor,
            parse_id(input.case_id),
            input.outcome,
            input.expected_version,
            input.reason,
        )
        return CloseCasePayload(case=await case_after(info, case_id))

    @mutation(
        Action.ACKNOWLEDGE,
        "Your organisation has received and read an event.",
    )
    async def acknowledge(self, info: Info, input: AcknowledgeInput) -> AcknowledgePayload:
        ctx = info.context
        case_id = await events.acknowledge(ctx.actor, parse_id(input.case_id), input.event_cursor)
        return AcknowledgePayload(case=await case_after(info, case_id))
