from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hub.text import clean


class AuditKind(StrEnum):
    READ = "READ"  # a query disclosed (or withheld) data about a child
    MUTATION = "MUTATION"  # a change, one row per event it recorded
    DELIVERY = "DELIVERY"  # a subscription delivered an event
    DENIED = "DENIED"  # a refused attempt: forbidden, or asked for what it may not see
    EMERGENCY = "EMERGENCY"  # emergency access opened
    AUDIT = "AUDIT"  # an auditor read the trail
    RETENTION = "RETENTION"  # personal data pseudonymised, audit months dropped
    LOOKUP = "LOOKUP"  # a child looked up by an organisation that may not see it, and why


class AuditFlag(StrEnum):
    """What auditors want to look at first."""

    EMERGENCY = "EMERGENCY"  # disclosed under emergency access, or access opened
    ENFORCEMENT = "ENFORCEMENT"  # asked for the enforcement purpose (UtlL 17:1)
    OFF_HOURS = "OFF_HOURS"  # outside office hours (Stockholm time)
    BULK = "BULK"  # part of a request that touched more children than the bulk limit
    ENUMERATION = "ENUMERATION"  # lookups in a burst, or missing again and again: review


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    """One row to append, before it has its place in the chain."""

    kind: AuditKind
    action: str
    request_id: str
    trace_id: str | None
    operation: str | None
    sub: str | None
    organisation_id: str | None
    roles: tuple[str, ...]
    purpose: str | None
    child_id: uuid.UUID | None = None
    case_ids: tuple[uuid.UUID, ...] = ()
    disclosed: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()
    bases: dict[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    policy_version: str | None = None  # the policies/ version that decided it
    # a compact entry: the children it covers (child_id None), and how many of case_ids
    # belong to each, in the same order (see migrations/0017_compact_audit.sql)
    child_ids: tuple[uuid.UUID, ...] = ()
    case_counts: tuple[int, ...] = ()
    # a cohort's delivery: the subjects who received it (sub None; migration 0018)
    recipients: tuple[str, ...] = ()
    # a compact entry's cases as one value, in the order case_ids would list them, and
    # case_ids empty (migration 0020); None on every other entry
    case_bytes: bytes | None = None

    def __post_init__(self) -> None:
        # details carry a caller's words (a filter, a refusal's message): stored clean
        # and capped, so one odd string can neither fail the shared commit nor bloat a row
        if self.details:
            object.__setattr__(self, "details", clean(self.details))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    kind: AuditKind
    request_id: str
    trace_id: str | None
    operation: str | None
    action: str
    sub: str | None
    organisation_id: str | None
    roles: tuple[str, ...]
    purpose: str | None
    child_id: uuid.UUID | None
    case_ids: tuple[uuid.UUID, ...]
    disclosed: tuple[str, ...]
    withheld: tuple[str, ...]
    bases: dict[str, str]
    flags: tuple[str, ...]
    details: dict[str, Any]
    prev_hash: str
    hash: str
    policy_version: str | None = None  # null on rows written before migration 0014
    child_ids: tuple[uuid.UUID, ...] = ()  # as stored; () on a part read through a child
    case_counts: tuple[int, ...] = ()
    recipients: tuple[str, ...] = ()  # as stored; () on a part read through a recipient
    case_bytes: bytes | None = None  # as stored; None on a part (whose case_ids list them)
    part: int = 0  # which child or recipient of an entry this row shows (1, 2, ...; 0: its own)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    child_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    organisation_id: str | None = None
    sub: str | None = None
    purpose: str | None = None
    kind: AuditKind | None = None
    flag: AuditFlag | None = None
    since: datetime | None = None
    until: datetime | None = None
    # the words of a child's name (search form): entries about a child so named
    child_named: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccessSummary:
    """Who accessed one child's data: per organisation and person, which categories when."""

    organisation_id: str | None
    sub: str | None
    purpose: str | None
    categories: tuple[str, ...]
    accesses: int
    first_at: datetime
    last_at: datetime
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChainVerification:
    ok: bool
    checked: int
    first_seq: int | None
    last_seq: int | None
    first_broken_seq: int | None
    problem: str | None
