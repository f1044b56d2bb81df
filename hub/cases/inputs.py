"""Inputs and payloads of the case mutations (one input, one payload each)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from hub.cases.types import CaseType, OutcomeType

VERSION = "The case version you last read; CONFLICT if it changed since."


@strawberry.type(description="The case after the change, as you may see it.")
class CasePayload:
    case: CaseType | None


@strawberry.type
class ReportAbsentPayload(CasePayload):
    pass


@strawberry.type
class ReportMissingToPolicePayload(CasePayload):
    pass


@strawberry.type
class RegisterAvvikenPayload(CasePayload):
    pass


@strawberry.type
class AddSightingPayload(CasePayload):
    pass


@strawberry.type
class ReportFoundPayload(CasePayload):
    pass


@strawberry.type
class RecordReturnInterviewPayload(CasePayload):
    pass


@strawberry.type
class CloseCasePayload(CasePayload):
    pass


@strawberry.type
class AcknowledgePayload(CasePayload):
    pass


@strawberry.input
class ReportAbsentInput:
    child_id: strawberry.ID
    last_seen_at: datetime
    last_seen_place: str
    circumstances: str | None = None


@strawberry.input
class ReportMissingToPoliceInput:
    case_id: strawberry.ID
    police_report_number: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input
class RegisterAvvikenInput:
    case_id: strawberry.ID


@strawberry.input
class AddSightingInput:
    case_id: strawberry.ID
    seen_at: datetime
    place: str
    note: str | None = None


@strawberry.input
class ReportFoundInput:
    case_id: strawberry.ID
    found_at: datetime
    place: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input
class RecordReturnInterviewInput:
    case_id: strawberry.ID
    summary: str
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input
class CloseCaseInput:
    case_id: strawberry.ID
    outcome: OutcomeType  # type: ignore[valid-type]
    expected_version: int | None = strawberry.field(default=None, description=VERSION)


@strawberry.input
class AcknowledgeInput:
    case_id: strawberry.ID
    event_cursor: str
