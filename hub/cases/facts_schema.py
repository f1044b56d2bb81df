"""The police's and Migrationsverket's own facts as mutations, with their inputs and
payloads: one resolver each, calling `hub.cases.facts`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.cases import facts
from hub.cases.schema import case_after
from hub.cases.types import REASON, VERSION, CasePayload, PoliceGradeType
from hub.graphql.actions import mutation
from hub.graphql.context import Info
from hub.graphql.ids import parse_id
from hub.policy.actions import Action


@strawberry.input
class RecordPoliceAssessmentInput:
    case_id: strawberry.ID
    grade: PoliceGradeType  # type: ignore[valid-type]
    rationale: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input
class RecordAlertInput:
    case_id: strawberry.ID
    reference: str = strawberry.field(description="The police's reference for the alert.")
    issued_at: datetime


@strawberry.input
class CancelAlertInput:
    case_id: strawberry.ID
    cancelled_at: datetime
    reason: str | None = strawberry.field(default=None, description=REASON)


@strawberry.input
class RegisterReturnInput:
    case_id: strawberry.ID


@strawberry.type
class RecordPoliceAssessmentPayload(CasePayload):
    pass


@strawberry.type
class RecordAlertPayload(CasePayload):
    pass


@strawberry.type
class CancelAlertPayload(CasePayload):
    pass


@strawberry.type
class RegisterReturnPayload(CasePayload):
    pass


@strawberry.type
class CaseFactMutation:
    @mutation(
        Action.RECORD_POLICE_ASSESSMENT,
        "The police grade the risk (LOW, MEDIUM, HIGH) with the rationale.",
    )
    async def record_police_assessment(
        self, info: Info, input: RecordPoliceAssessmentInput
    ) -> RecordPoliceAssessmentPayload:
        case_id = await facts.record_police_assessment(
            info.context.actor,
            parse_id(input.case_id),
            input.grade,
            input.rationale,
            input.expected_version,
        )
        return RecordPoliceAssessmentPayload(case=await case_after(info, case_id))

    @mutation(Action.RECORD_ALERT, "The police put out an alert (efterlysning).")
    async def record_alert(self, info: Info, input: RecordAlertInput) -> RecordAlertPayload:
        case_id = await facts.record_alert(
            info.context.actor, parse_id(input.case_id), input.reference, input.issued_at
        )
        return RecordAlertPayload(case=await case_after(info, case_id))

    @mutation(
        Action.CANCEL_ALERT,
        "The police call the alert back; completes the FOUND routine's 'cancel alerts'.",
    )
    async def cancel_alert(self, info: Info, input: CancelAlertInput) -> CancelAlertPayload:
        case_id = await facts.cancel_alert(
            info.context.actor, parse_id(input.case_id), input.cancelled_at, input.reason
        )
        return CancelAlertPayload(case=await case_after(info, case_id))

    @mutation(
        Action.REGISTER_RETURN,
        "Migrationsverket re-registers the child who came back (after avviken).",
    )
    async def register_return(
        self, info: Info, input: RegisterReturnInput
    ) -> RegisterReturnPayload:
        case_id = await facts.register_return(info.context.actor, parse_id(input.case_id))
        return RegisterReturnPayload(case=await case_after(info, case_id))
