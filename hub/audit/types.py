"""GraphQL types of the audit trail. Auditors see who accessed what, never the content."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from hub.audit.models import (
    AccessSummary,
    AuditEntry,
    AuditFilter,
    AuditFlag,
    AuditKind,
    ChainVerification,
)
from hub.children.search import name_words
from hub.errors import InvalidInput
from hub.graphql.categories import CATEGORY_COUNT, DataCategoryType, bounded
from hub.graphql.ids import parse_id
from hub.graphql.pagination import PageInfo
from hub.policy.categories import DataCategory

AuditKindType = strawberry.enum(AuditKind, name="AuditKind", description="What was recorded.")
AuditFlagType = strawberry.enum(
    AuditFlag, name="AuditFlag", description="Why an auditor may want to look closer."
)


def encode_position(seq: int, part: int) -> str:
    """A row's cursor: its entry's seq, and which child of the entry (0: the entry's own)."""
    raw = seq.to_bytes(8, "big") + (part.to_bytes(4, "big") if part else b"")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) not in (8, 12):
        raise InvalidInput(
            "this cursor was not issued by auditLog; pass an endCursor from a previous page",
            field="after",
        )
    return int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big")


@strawberry.input(description="Every field narrows the log; all are optional.")
class AuditFilterInput:
    child_id: strawberry.ID | None = None
    case_id: strawberry.ID | None = None
    organisation: str | None = strawberry.field(
        default=None, description="The organisation that accessed."
    )
    sub: str | None = strawberry.field(default=None, description="The person (token subject).")
    purpose: str | None = None
    kind: AuditKindType | None = None  # type: ignore[valid-type]
    flag: AuditFlagType | None = None  # type: ignore[valid-type]
    from_: Annotated[datetime | None, strawberry.argument(name="from")] = strawberry.field(
        default=None, name="from", description="Inclusive."
    )
    to: datetime | None = strawberry.field(default=None, description="Exclusive.")
    child_name: str | None = strawberry.field(
        default=None,
        description="Entries about a child of this name, however spelled (as children's "
        "search compares names); within your audit scope like every entry.",
    )

    def model(self) -> AuditFilter:
        return AuditFilter(
            child_id=_id(self.child_id, "childId"),
            case_id=_id(self.case_id, "caseId"),
            organisation_id=self.organisation,
            sub=self.sub,
            purpose=self.purpose,
            kind=self.kind,
            flag=self.flag,
            since=self.from_,
            until=self.to,
            child_named=name_words(self.child_name, "childName") if self.child_name else (),
        )


def _id(value: str | None, field: str) -> uuid.UUID | None:
    if value is None:
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise InvalidInput(f"{field} is not an id the hub issued", field=field)
    return parsed


@strawberry.type(description="A category disclosed, and the legal basis it was disclosed on.")
class LegalBasis:
    category: DataCategoryType  # type: ignore[valid-type]
    basis: str


@strawberry.type(description="One recorded access or change about one child (or none).")
class AuditEntryType:
    seq: int = strawberry.field(
        description="Position in the hash chain. A request that showed many children the same "
        "view is one chained entry: each child has its own row here, with the entry's seq "
        "and hash."
    )
    at: datetime
    kind: AuditKindType  # type: ignore[valid-type]
    request_id: str
    trace_id: str | None
    operation: str | None = strawberry.field(description="The client's operation name.")
    action: str = strawberry.field(description="The fields asked for, or the change made.")
    sub: str | None
    organisation_id: str | None
    roles: list[str]
    purpose: str | None
    child_id: strawberry.ID | None
    case_ids: list[strawberry.ID]
    disclosed: list[DataCategoryType]  # type: ignore[valid-type]
    withheld: list[DataCategoryType]  # type: ignore[valid-type]
    legal_bases: list[LegalBasis] = bounded(CATEGORY_COUNT)
    flags: list[AuditFlagType]  # type: ignore[valid-type]
    details: JSON
    hash: str
    policy_version: str = strawberry.field(
        description="The version of policies/ (its content hash) that decided the entry; "
        "'unrecorded' for entries from before versions were kept."
    )

    @classmethod
    def of(cls, e: AuditEntry) -> AuditEntryType:
        return cls(
            seq=e.seq,
            at=e.at,
            kind=e.kind,
            request_id=e.request_id,
            trace_id=e.trace_id,
            operation=e.operation,
            action=e.action,
            sub=e.sub,
            organisation_id=e.organisation_id,
            roles=list(e.roles),
            purpose=e.purpose,
            child_id=strawberry.ID(str(e.child_id)) if e.child_id else None,
            case_ids=[strawberry.ID(str(c)) for c in e.case_ids],
            disclosed=[DataCategory(c) for c in e.disclosed],
            withheld=[DataCategory(c) for c in e.withheld],
            legal_bases=[LegalBasis(category=DataCategory(c), basis=b) for c, b in e.bases.items()],
            flags=[AuditFlag(f) for f in e.flags],
            details=e.details,  # type: ignore[arg-type]
            hash=e.hash,
            policy_version=e.policy_version or "unrecorded",
        )


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntryType


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, rows: list[AuditEntry], first: int, total: int) -> AuditEntryConnection:
        shown = rows[:first]
        edges = [
            AuditEntryEdge(cursor=encode_position(r.seq, r.part), node=AuditEntryType.of(r))
            for r in shown
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )


@strawberry.type(description="Who accessed one child's data: per person, which categories when.")
class AccessSummaryType:
    organisation_id: str | None
    sub: str | None
    purpose: str | None
    categories: list[DataCategoryType]  # type: ignore[valid-type]
    accesses: int
    first_at: datetime
    last_at: datetime
    flags: list[AuditFlagType]  # type: ignore[valid-type]

    @classmethod
    def of(cls, s: AccessSummary) -> AccessSummaryType:
        return cls(
            organisation_id=s.organisation_id,
            sub=s.sub,
            purpose=s.purpose,
            categories=[DataCategory(c) for c in s.categories],
            accesses=s.accesses,
            first_at=s.first_at,
            last_at=s.last_at,
            flags=[AuditFlag(f) for f in s.flags],
        )


@strawberry.type(
    description="The latest verification of the audit chain, run in the background: "
    "incremental runs re-hash the rows since the last verified one, a full run all rows."
)
class ChainVerificationType:
    ok: bool
    checked_at: datetime | None = strawberry.field(description="When the run finished.")
    full: bool = strawberry.field(description="Whether the run re-hashed the whole trail.")
    checked: int = strawberry.field(description="Rows whose hash this run recomputed.")
    first_seq: int | None
    last_seq: int | None
    first_broken_id: int | None = strawberry.field(
        description="The seq of the first row that does not verify; null when ok."
    )
    problem: str | None

    @classmethod
    def of(
        cls, v: ChainVerification, checked_at: datetime | None = None, full: bool = True
    ) -> ChainVerificationType:
        return cls(
            ok=v.ok,
            checked_at=checked_at,
            full=full,
            checked=v.checked,
            first_seq=v.first_seq,
            last_seq=v.last_seq,
            first_broken_id=v.first_broken_seq,
            problem=v.problem,
        )


@strawberry.input
class RequestFullAuditVerificationInput:
    reason: str | None = strawberry.field(
        default=None, description="Why a full run is wanted (kept in the audit trail)."
    )


@strawberry.type
class RequestFullAuditVerificationPayload:
    queued: bool = strawberry.field(
        description="False when a full run was already waiting or running (this joins it)."
    )
