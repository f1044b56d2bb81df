"""The case mutations: one resolver each, calling one command."""

from __future__ import annotations

import uuid

import strawberry

from hub.cases import commands
from hub.cases import service as cases
from hub.cases.commands import Actor
from hub.cases.inputs import (
    AcknowledgeInput,
    AcknowledgePayload,
    AddSightingInput,
    AddSightingPayload,
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
from hub.cases.types import CaseType
from hub.events import service as events
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.policy.actions import Action


def _actor(info: Info) -> Actor:
    ctx = info.context
    return Actor(ctx.session, ctx.policy, ctx.principal, ctx.routines)


async def _case(info: Info, case_id: uuid.UUID) -> CaseType | None:
    """The case after the change, read anew as the caller may see it."""
    ctx = info.context
    await ctx.session.flush()
    visible = await cases.visible_one(ctx.session, ctx.policy, ctx.principal, case_id)
    return CaseType.of(visible) if visible else None


@strawberry.type
class CaseMutation:
    @mutation(
        Action.REPORT_ABSENT,
        "The residence (or social services, or the god man) "
        "reports the child absent: opens a case in ABSENT.",
    )
    async def report_absent(self, info: Info, input: ReportAbsentInput) -> ReportAbsentPayload:
        case_id = await commands.report_absent(
            _actor(info),
            parse_id(input.child_id),
            input.last_seen_at,
            input.last_seen_place,
            input.circumstances,
        )
        return ReportAbsentPayload(case=await _case(info, case_id))

    @mutation(
        Action.REPORT_MISSING_TO_POLICE,
        "Reported to the police: REPORTED_MISSING + report number.",
    )
    async def report_missing_to_police(
        self, info: Info, input: ReportMissingToPoliceInput
    ) -> ReportMissingToPolicePayload:
        case_id = await commands.report_missing(
            _actor(info),
            parse_id(input.case_id),
            input.police_report_number,
            input.expected_version,
        )
        return ReportMissingToPolicePayload(case=await _case(info, case_id))

    @mutation(
        Action.REGISTER_AVVIKEN,
        "Migrationsverket registers the child as avviken.",
    )
    async def register_avviken(
        self, info: Info, input: RegisterAvvikenInput
    ) -> RegisterAvvikenPayload:
        case_id = await commands.register_avviken(_actor(info), parse_id(input.case_id))
        return RegisterAvvikenPayload(case=await _case(info, case_id))

    @mutation(
        Action.ADD_SIGHTING,
        "Someone saw the child: time, place, note.",
    )
    async def add_sighting(self, info: Info, input: AddSightingInput) -> AddSightingPayload:
        case_id = await commands.add_sighting(
            _actor(info), parse_id(input.case_id), input.seen_at, input.place, input.note
        )
        return AddSightingPayload(case=await _case(info, case_id))

    @mutation(
        Action.REPORT_FOUND,
        "The child is found (påträffad): FOUND.",
    )
    async def report_found(self, info: Info, input: ReportFoundInput) -> ReportFoundPayload:
        case_id = await commands.report_found(
            _actor(info),
            parse_id(input.case_id),
            input.found_at,
            input.place,
            input.expected_version,
        )
        return ReportFoundPayload(case=await _case(info, case_id))

    @mutation(
        Action.RECORD_RETURN_INTERVIEW,
        "The återkomstsamtal is held: FOLLOW_UP.",
    )
    async def record_return_interview(
        self, info: Info, input: RecordReturnInterviewInput
    ) -> RecordReturnInterviewPayload:
        case_id = await commands.record_return_interview(
            _actor(info), parse_id(input.case_id), input.summary, input.expected_version
        )
        return RecordReturnInterviewPayload(case=await _case(info, case_id))

    @mutation(
        Action.CLOSE_CASE,
        "Close the case with an outcome: CLOSED.",
    )
    async def close_case(self, info: Info, input: CloseCaseInput) -> CloseCasePayload:
        case_id = await commands.close_case(
            _actor(info), parse_id(input.case_id), input.outcome, input.expected_version
        )
        return CloseCasePayload(case=await _case(info, case_id))

    @mutation(
        Action.ACKNOWLEDGE,
        "Your organisation has received and read an event.",
    )
    async def acknowledge(self, info: Info, input: AcknowledgeInput) -> AcknowledgePayload:
        ctx = info.context
        case_id = await events.acknowledge(
            ctx.session, ctx.policy, ctx.principal, parse_id(input.case_id), input.event_cursor
        )
        return AcknowledgePayload(case=await _case(info, case_id))
