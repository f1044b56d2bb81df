"""The audit recorder of one operation: what it disclosed, withheld, changed, was refused.

Built with the operation (see `hub.graphql.context`), fed by the only places data leaves
or changes (`masked`, the outbox, the error extension), written as one multi-row insert
just before the operation's transaction commits. No record, no response.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from opentelemetry import trace

from hub.audit.models import AuditFlag, AuditKind, NewAuditEntry
from hub.auth.principal import Principal, Purpose
from hub.policy.categories import DataCategory
from hub.policy.view import RowView

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# graphql type name -> the categories its selected fields carry; None: the whole type
Selection = dict[str, frozenset[DataCategory]]


@dataclass(frozen=True, slots=True)
class AuditPolicy:
    """When an access is flagged (settings)."""

    bulk_children: int = 50
    office_hours: tuple[int, int] = (7, 18)  # local hours, Monday to Friday
    policy_version: str | None = None  # stamped on every entry

    def off_hours(self, at: datetime) -> bool:
        return _off_hours(at, self.office_hours)


@functools.lru_cache(maxsize=64)  # a group commit's records share one moment
def _off_hours(at: datetime, office_hours: tuple[int, int]) -> bool:
    local = at.astimezone(STOCKHOLM)
    start, end = office_hours
    return local.weekday() >= 5 or not start <= local.hour < end


@dataclass(slots=True)
class _Touched:
    # their ids' bytes: a UUID fresh from asyncpg hashes and sorts through its `int`,
    # which it works out each time (a 500-case page's ids took a quarter of a millisecond),
    # and a compact entry keeps the bytes (`case_bytes`); UUIDs are made only for the
    # cases of an entry about one child
    case_ids: set[bytes] = field(default_factory=set)
    # what each (type, view) pair shown of this child adds to its record, once each, in
    # the order they came: children shown the same pairs share their union, which is
    # made once (`_compacted`), not merged into every child's sets
    folds: list[_Fold] = field(default_factory=list)

    def copy(self) -> _Touched:
        """What was disclosed and withheld, for another recorder."""
        return _Touched(set(self.case_ids), list(self.folds))


Disclosures = dict[uuid.UUID, _Touched]


@dataclass(frozen=True, slots=True, eq=False)  # one per (type, view) of a request: by identity
class _Fold:
    """What one object of a type, shown under one view, adds to its child's record."""

    disclosed: frozenset[DataCategory]
    withheld: frozenset[DataCategory]
    bases: dict[str, str]  # by category's value
    emergency: bool  # a category only an emergency grant opened was disclosed


# The folds every request shares: one per selected categories and view, made once for
# the process (a view comes from `Policy.view`, which keeps a few). Each is kept with its
# view, so no other view takes that view's id while it is here; the unions of a child's
# folds likewise (`_compacted`). Both are emptied together when either grows to `_MEMO`
# (views that a reloaded policy, or a test, made and dropped).
_FOLDS: dict[tuple[frozenset[DataCategory], int], tuple[RowView, _Fold]] = {}
_UNIONS: dict[tuple[_Fold, ...], tuple[Any, ...]] = {}
_MEMO = 4096


def _fold(selected: frozenset[DataCategory], view: RowView) -> _Fold:
    """What an object with these categories selected adds to its child's record when it
    is shown under `view`."""
    key = (selected, id(view))
    found = _FOLDS.get(key)
    if found is None:
        if len(_FOLDS) >= _MEMO or len(_UNIONS) >= _MEMO:
            _FOLDS.clear()
            _UNIONS.clear()
        disclosed = frozenset(c for c in selected if view.allows(c))
        found = _FOLDS[key] = (
            view,
            _Fold(
                disclosed=disclosed,
                withheld=selected - disclosed,
                bases={c.value: view.bases.get(c, "") for c in disclosed},
                emergency=any(c in view.emergency for c in disclosed),
            ),
        )
    return found[1]


@dataclass(frozen=True, slots=True)
class Delivered:
    """One recipient's share of the entries a cohort's answer makes: the entry, made once
    for all who adopted the answer, and who received it over which connection.
    `hub.audit.recipients` merges the recipients of one commit into that entry."""

    entry: NewAuditEntry  # the same object for every recipient alike
    sub: str
    request_id: str
    trace_id: str | None

    def own(self) -> NewAuditEntry:
        """The entry as this recipient's alone."""
        return replace(self.entry, sub=self.sub, request_id=self.request_id, trace_id=self.trace_id)


class Record(Protocol):
    """What the group commit and a transaction of its own write: a `Recorder`, or the
    records of one answer handed to many (`hub.audit.handed.Handed`)."""

    @property
    def pending(self) -> bool: ...
    def batched(self, at: datetime) -> list[NewAuditEntry | Delivered]: ...
    def entries(self, at: datetime) -> list[NewAuditEntry]: ...
    def forget_changes(self) -> None: ...


class Shared:
    """The disclosures of one answer that many receive (a cohort's, `hub.events.cohorts`):
    read, never changed, by every recorder that adopts them, compacted into entries'
    views, and those into entries, once per kind of recipient rather than once each."""

    __slots__ = ("_entries", "_views", "touched")

    def __init__(self, touched: Disclosures) -> None:
        self.touched = touched
        self._views: dict[frozenset[AuditFlag], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        self._entries: dict[tuple[Any, ...], list[NewAuditEntry]] = {}

    def entries(self, audit: Recorder, common: frozenset[AuditFlag]) -> list[NewAuditEntry]:
        """The entries `audit` would make of these disclosures, made by the first recorder
        of its kind (everything an entry says but who and which connection) and kept."""
        p = audit.principal
        key = (
            common,
            audit.kind,
            audit.action,
            audit.operation,
            (p.organisation_id, p.roles, p.purpose) if p else None,
            audit.policy.policy_version,
            repr(audit.details),  # the same details in another order: a miss, not a mix-up
        )
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = audit.made(self.compacted(common))
        return found

    def compacted(
        self, common: frozenset[AuditFlag]
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        found = self._views.get(common)
        if found is None:
            found = self._views[common] = _compacted(self.touched, set(common))
        return found


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


class Recorder:
    __slots__ = (
        "__weakref__",  # the appender knows a record begun early by it (`begin`)
        "_client",
        "_folds",
        "_other",
        "_shared",
        "_touched",
        "_trace_id",
        "action",
        "details",
        "enabled",
        "kind",
        "operation",
        "policy",
        "principal",
        "request_id",
        "selection",
    )

    def __init__(
        self,
        principal: Principal | None,
        *,
        kind: AuditKind = AuditKind.READ,
        request_id: str,
        policy: AuditPolicy,
        selection: Selection | None = None,
        enabled: bool = True,
        client_request_id: str | None = None,
    ) -> None:
        self.principal = principal
        self.kind = kind
        self.request_id = request_id
        # the caller's own X-Request-Id, kept beside the hub's in every row's details
        self._client = {"clientRequestId": client_request_id} if client_request_id else {}
        self.policy = policy
        self.selection = selection
        self.operation: str | None = None
        self.action = "query"
        self.enabled = enabled
        self.details: dict[str, Any] = {}  # added to every disclosure row (a delivery's event)
        self._trace_id = _trace_id()
        self._touched: Disclosures = {}
        # by type and view, for this request; kept with the view, as `_FOLDS` keeps it
        self._folds: dict[tuple[str, int], tuple[RowView, _Fold]] = {}
        # changes, refusals and emergency access, made into entries once flagged (`batched`)
        self._other: list[tuple[AuditKind, str, dict[str, Any]]] = []
        self._shared: Shared | None = None  # adopted: an answer worked out by another

    def sibling(self, kind: AuditKind | None = None) -> Recorder:
        """An empty recorder of the same request (who, request ids, what it selected,
        flags' settings): a parked subscriber's deliveries, made without a request's
        context."""
        audit = Recorder(
            self.principal,
            kind=self.kind if kind is None else kind,
            request_id=self.request_id,
            policy=self.policy,
            selection=self.selection,
            enabled=self.enabled,
            client_request_id=self.client_request_id,
        )
        audit._trace_id = self._trace_id
        audit.operation, audit.action = self.operation, self.action
        return audit

    @property
    def pending(self) -> bool:
        return bool(self._touched or self._other or self._shared)

    @property
    def trace_id(self) -> str | None:
        return self._trace_id

    @property
    def client_request_id(self) -> str | None:
        return self._client.get("clientRequestId")

    def disclosed(
        self,
        type_name: str,
        type_categories: frozenset[DataCategory],
        view: RowView,
        *,
        child_id: uuid.UUID,
        case_id: uuid.UUID | None = None,
    ) -> None:
        """An object about `child_id` built for the response under `view`."""
        if self.enabled:
            touched = self._shown(type_name, type_categories, view, child_id)
            if case_id is not None:
                touched.case_ids.add(case_id.bytes)

    def disclosed_cases(
        self,
        type_name: str,
        type_categories: frozenset[DataCategory],
        view: RowView,
        *,
        child_id: uuid.UUID,
        case_ids: Iterable[bytes],
    ) -> None:
        """`disclosed` for several cases of one child shown under one view (a page's),
        given by their ids' bytes: what one call per case would record."""
        if self.enabled:
            self._shown(type_name, type_categories, view, child_id).case_ids.update(case_ids)

    def _shown(
        self,
        type_name: str,
        type_categories: frozenset[DataCategory],
        view: RowView,
        child_id: uuid.UUID,
    ) -> _Touched:
        """The record of `child_id`, with what an object of this type under `view` adds."""
        touched = self._touched.get(child_id)
        if touched is None:
            touched = self._touched[child_id] = _Touched()
        key = (type_name, id(view))
        found = self._folds.get(key)
        if found is None:  # the view kept with its fold, so no other view takes its id
            selected = type_categories
            if self.selection is not None:
                selected = self.selection.get(type_name, frozenset()) & type_categories
            found = self._folds[key] = (view, _fold(selected, view))
        fold = found[1]
        if fold not in touched.folds:  # by identity: a child has a few at most
            touched.folds.append(fold)
        return touched

    def disclosures(self) -> Disclosures:
        """What this operation has disclosed and withheld so far, per child: for others
        of its cohort who receive the very same answer (`adopt`)."""
        return {child_id: t.copy() for child_id, t in self._touched.items()}

    def adopt(self, shared: Shared) -> None:
        """Record, as this operation's own, the disclosures of an answer worked out by
        another operation of the same cohort and sent to this caller unchanged."""
        if not self.enabled:
            return
        if not self._touched and self._shared is None:  # the usual case: only the answer
            self._shared = shared
            return
        earlier = (self._shared.touched,) if self._shared is not None else ()
        for source in (*earlier, shared.touched):
            for child_id, t in source.items():
                self._touched[child_id] = t.copy()
        self._shared = None

    def unseen(
        self, *, child_id: uuid.UUID | None = None, case_id: uuid.UUID | None = None
    ) -> None:
        """The caller asked for a row that is absent or hidden (the answer was null)."""
        self.record(
            AuditKind.DENIED,
            self.action,
            child_id=child_id,
            case_ids=[case_id] if case_id else [],
            details={"code": "NOT_VISIBLE"},
        )

    def record(
        self,
        kind: AuditKind,
        action: str,
        *,
        child_id: uuid.UUID | None = None,
        case_ids: Iterable[uuid.UUID] = (),
        flags: Iterable[AuditFlag] = (),
        details: dict[str, Any] | None = None,
    ) -> None:
        """A change, refusal or emergency access, one row each (made with the request's
        flags when written: `batched`)."""
        if not self.enabled:
            return
        content = {  # as they are now, whatever the caller does with its own after
            "operation": self.operation,
            "child_id": child_id,
            "case_ids": tuple(case_ids),
            "flags": tuple(flags),
            "details": dict(details) if details else {},
        }
        self._other.append((kind, action, content))

    def _entry(self, kind: AuditKind, action: str, **content: Any) -> NewAuditEntry:
        p = self.principal
        if self._client:
            content["details"] = {**content.get("details", {}), **self._client}
        return NewAuditEntry(
            kind=kind,
            action=action,
            request_id=self.request_id,
            trace_id=self._trace_id,
            operation=content.pop("operation", self.operation),
            sub=p.sub if p else None,
            organisation_id=p.organisation_id if p else None,
            roles=tuple(sorted(r.value for r in p.roles)) if p else (),
            purpose=p.purpose.value if p else None,
            policy_version=self.policy.policy_version,
            **content,
        )

    def made(self, views: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[NewAuditEntry]:
        """This recorder's entries for `views` (from `_compacted`)."""
        return [
            self._entry(self.kind, self.action, details=self.details, **view, **covered)
            for view, covered in views
        ]

    def forget_changes(self) -> None:
        """The work was rolled back: its changes (and emergency access) never happened."""
        undone = {AuditKind.MUTATION, AuditKind.EMERGENCY}
        self._other = [o for o in self._other if o[0] not in undone]

    def entries(self, at: datetime) -> list[NewAuditEntry]:
        """Everything recorded, flagged as of `at`, and forget it (written once)."""
        return [e.own() if isinstance(e, Delivered) else e for e in self.batched(at)]

    def batched(self, at: datetime) -> list[NewAuditEntry | Delivered]:
        """As `entries`, except that an adopted answer's entries are the cohort's own,
        with this recorder's recipient beside them (for the group commit to merge)."""
        common: set[AuditFlag] = set()
        if self.policy.off_hours(at):
            common.add(AuditFlag.OFF_HOURS)
        children = len(self._touched) or (len(self._shared.touched) if self._shared else 0)
        if children > self.policy.bulk_children:
            common.add(AuditFlag.BULK)
        if self.principal is not None and self.principal.purpose is Purpose.ENFORCEMENT:
            common.add(AuditFlag.ENFORCEMENT)  # every read and change under it
        found: list[NewAuditEntry | Delivered]
        p = self.principal
        if self._shared is not None and not self._touched and not self._client and p:
            # who received it, beside the entry made once for all who did
            found = [
                Delivered(e, p.sub, self.request_id, self._trace_id)
                for e in self._shared.entries(self, frozenset(common))
            ]
        else:
            if self._shared is not None and not self._touched:
                views = self._shared.compacted(frozenset(common))
            else:
                views = _compacted(self._touched, common)
            found = list(self.made(views))
        every_row = common & _EVERY_ROW
        others = []
        for kind, action, content in self._other:
            flags = tuple(sorted(every_row | set(content["flags"])))
            others.append(self._entry(kind, action, **{**content, "flags": flags}))
        found += _aggregated(others)
        self._touched, self._other, self._shared = {}, [], None
        return found


def _compacted(
    touched: Disclosures, common: set[AuditFlag]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """One entry per view: the children that were shown the same categories on the same
    bases with the same flags share it (a page of 500 rows has a handful of views). Per
    entry, what it disclosed and withheld, and which children and cases it covers: one
    child as child_id with its case_ids, several as child_ids with their cases as one
    value (case_bytes), grouped in the same order."""
    views: dict[tuple[Any, ...], tuple[dict[str, Any], list[tuple[uuid.UUID, _Touched]]]] = {}
    for child_id, t in touched.items():
        combination = tuple(t.folds)  # in order: a later fold's basis of a category wins
        key = _UNIONS.get(combination)
        if key is None:  # alike as sets is alike as the sorted lists the entry keeps
            key = _UNIONS[combination] = _union(t.folds)
        group = views.get(key)
        if group is None:
            group = views[key] = (_view(key, common), [])
        group[1].append((child_id, t))
    found = []
    for view, children in views.values():
        if len(children) == 1:
            ((child_id, only),) = children
            covered: dict[str, Any] = {
                "child_id": child_id,
                "case_ids": tuple(uuid.UUID(bytes=c) for c in sorted(only.case_ids)),
            }
        else:
            # each child's in the order of their integers, which is their bytes' order
            groups = [sorted(t.case_ids) for _, t in children]
            covered = {
                "child_ids": tuple(c for c, _ in children),
                "case_bytes": b"".join(b"".join(group) for group in groups),
                "case_counts": tuple(map(len, groups)),
            }
        found.append((view, covered))
    return found


def _union(folds: list[_Fold]) -> tuple[Any, ...]:
    """What a child shown these folds was disclosed and withheld, on which bases, with
    which of its own flags: as sets, alike for alike records."""
    disclosed: set[DataCategory] = set()
    withheld: set[DataCategory] = set()
    bases: dict[str, str] = {}
    for fold in folds:
        disclosed |= fold.disclosed
        withheld |= fold.withheld
        bases.update(fold.bases)
    emergency = any(fold.emergency for fold in folds)
    return (
        frozenset(disclosed),
        frozenset(withheld),
        frozenset(bases.items()),
        frozenset({AuditFlag.EMERGENCY} if emergency else ()),
    )


def _view(key: tuple[Any, ...], common: set[AuditFlag]) -> dict[str, Any]:
    """An entry's view (from `_union`): what it disclosed and withheld, on which bases,
    with which flags."""
    disclosed, withheld, bases, flags = key
    return {
        "disclosed": tuple(sorted(c.value for c in disclosed)),
        "withheld": tuple(sorted(c.value for c in withheld)),
        "bases": dict(sorted(bases)),
        "flags": tuple(sorted(flags | common)),
    }


# the flags of a request that every row it writes carries, changes and refusals too
_EVERY_ROW = frozenset({AuditFlag.OFF_HOURS, AuditFlag.ENFORCEMENT})


def _aggregated(entries: list[NewAuditEntry]) -> list[NewAuditEntry]:
    """Refusals of the same thing in one request (thirty aliases of one hidden child) are
    one row, with `count`; everything else stays as it is, in order."""
    if sum(e.kind is AuditKind.DENIED for e in entries) < 2:
        return entries  # nothing to count (most requests: none or one)
    found: list[NewAuditEntry] = []
    denied: dict[str, int] = {}  # key -> index in found
    counts: dict[int, int] = {}
    for entry in entries:
        if entry.kind is not AuditKind.DENIED:
            found.append(entry)
            continue
        key = repr((entry.action, entry.child_id, entry.case_ids, sorted(entry.details.items())))
        if key in denied:
            counts[denied[key]] += 1
            continue
        denied[key] = len(found)
        counts[len(found)] = 1
        found.append(entry)
    return [
        replace(e, details={**e.details, "count": counts[i]}) if counts.get(i, 1) > 1 else e
        for i, e in enumerate(found)
    ]


_current: ContextVar[Recorder | None] = ContextVar("hub_audit_recorder", default=None)


def use(recorder: Recorder | None) -> Token[Recorder | None]:
    return _current.set(recorder)


def restore(token: Token[Recorder | None]) -> None:
    _current.reset(token)


def current() -> Recorder | None:
    return _current.get()
