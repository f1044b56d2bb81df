from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.emergency.models import Grant, ReasonKind, Verdict
from hub.graphql.categories import DataCategoryType
from hub.graphql.pagination import encode_cursor

if TYPE_CHECKING:
    from hub.cases.types import CaseType

ReasonKindType = strawberry.enum(ReasonKind, name="EmergencyReasonKind")
VerdictType = strawberry.enum(Verdict, name="EmergencyVerdict")


@strawberry.input
class RequestEmergencyAccessInput:
    case_id: strawberry.ID
    category: DataCategoryType  # type: ignore[valid-type]
    reason_kind: ReasonKindType  # type: ignore[valid-type]
    reason: str = strawberry.field(description="Why; reviewed by an auditor. 10+ characters.")
    reference: str | None = strawberry.field(
        default=None, description="The police report number (required for the police)."
    )


@strawberry.type
class RequestEmergencyAccessPayload:
    case: Annotated[CaseType, strawberry.lazy("hub.cases.types")]


@strawberry.type(
    name="EmergencyAccessGrant",
    description="One emergency access, for an auditor to review: who opened which category "
    "of which case, when, and why.",
)
class GrantType:
    id: strawberry.ID
    case_id: strawberry.ID
    child_id: strawberry.ID
    organisation_id: str
    sub: str = strawberry.field(description="The person who opened it (token subject).")
    category: DataCategoryType  # type: ignore[valid-type]
    reason_kind: ReasonKindType  # type: ignore[valid-type]
    reason: str
    reference: str | None
    granted_at: datetime
    expires_at: datetime
    reviewed_at: datetime | None
    verdict: VerdictType | None  # type: ignore[valid-type]
    review_note: str | None
    reviewed_by: str | None = strawberry.field(description="The reviewing auditor (subject).")

    @classmethod
    def of(cls, g: Grant) -> GrantType:
        return cls(
            id=strawberry.ID(str(g.id)),
            case_id=strawberry.ID(str(g.case_id)),
            child_id=strawberry.ID(str(g.child_id)),
            organisation_id=g.organisation_id,
            sub=g.sub,
            category=g.category,
            reason_kind=g.reason.kind,
            reason=g.reason.text,
            reference=g.reason.reference,
            granted_at=g.granted_at,
            expires_at=g.expires_at,
            reviewed_at=g.reviewed_at,
            verdict=g.verdict,
            review_note=g.review_note,
            reviewed_by=g.reviewed_by_sub,
        )

    @staticmethod
    def cursor(g: Grant) -> str:
        return encode_cursor(g.id)


@strawberry.input
class ReviewEmergencyAccessInput:
    grant_id: strawberry.ID
    verdict: VerdictType  # type: ignore[valid-type]
    note: str | None = strawberry.field(
        default=None, description="Required when the verdict is NOT_JUSTIFIED."
    )


@strawberry.type
class ReviewEmergencyAccessPayload:
    grant: GrantType
