"""The records of one cohort answer handed to many parked members at once.

A cohort's task (`hub.events.parked`) gives one event's answer to thousands of members.
Each member's record is what its own recorder would make of the answer it adopted
(`Recorder.sibling`, `Recorder.adopt`): the entries the cohort's disclosures make, with
the member as the one who received them. Those entries are the same for every member
but for who received them and over which connection, so they are made once per kind of
member (organisation, roles, purpose, operation: one kind in a cohort) and each member
is a `Delivered` beside them; the group commit merges them into one entry naming every
recipient (`hub.audit.recipients`). A member whose entries are its own (it sent its own
X-Request-Id) gets them made as its recorder makes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hub.audit.models import NewAuditEntry
from hub.audit.recorder import Delivered, Recorder, Shared


class Handed:
    """One answer's records for every member it was handed to (a `Record`)."""

    __slots__ = ("__weakref__", "_details", "_recipients", "_shared")

    def __init__(self, shared: Shared, details: dict[str, Any]) -> None:
        self._shared = shared
        self._details = details  # the event: on every entry
        self._recipients: list[Recorder] = []

    def add(self, recipient: Recorder) -> None:
        """A member the answer goes to: `recipient` is the empty recorder of its
        subscription (`Recorder.sibling`)."""
        if recipient.enabled:
            self._recipients.append(recipient)

    @property
    def pending(self) -> bool:
        return bool(self._recipients)

    def forget_changes(self) -> None:
        """Nothing to forget: deliveries change nothing."""

    def entries(self, at: datetime) -> list[NewAuditEntry]:
        return [e.own() if isinstance(e, Delivered) else e for e in self.batched(at)]

    def batched(self, at: datetime) -> list[NewAuditEntry | Delivered]:
        """Every member's entries, flagged as of `at`, and forget them (written once)."""
        found: list[NewAuditEntry | Delivered] = []
        alike: dict[tuple[Any, ...], list[NewAuditEntry]] = {}
        for r in self._recipients:
            p = r.principal
            if p is None or r.client_request_id is not None:
                found += self._adopted(r).batched(at)
                continue
            kind = (r.kind, r.action, r.operation, p.organisation_id, p.roles, p.purpose, r.policy)
            entries = alike.get(kind)
            if entries is None:
                made = self._adopted(r).batched(at)
                entries = alike[kind] = [d.entry for d in made if isinstance(d, Delivered)]
                if len(entries) != len(made):  # not a plain adoption: its own, as made
                    del alike[kind]
                    found += made
                    continue
            found += [Delivered(e, p.sub, r.request_id, r.trace_id) for e in entries]
        self._recipients = []
        return found

    def _adopted(self, recipient: Recorder) -> Recorder:
        audit = recipient.sibling()
        audit.details = self._details
        audit.adopt(self._shared)
        return audit
