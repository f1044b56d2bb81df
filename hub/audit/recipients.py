"""One entry per cohort delivery (issue 22, migration 0018).

The subscribers of a cohort receive the same answer to the same event, and their
delivery records reach the group commit together. Records of one commit that differ only
in who received the event (and in the connection that carried it) become one chained
entry naming every recipient, in the order their records arrived: a status change fanned
out to 2,500 subscribers of a replica is a handful of entries, not 2,500. The entry keeps
the first record's request and trace ids; auditors still read a row per recipient
(`audit_by_child`), with everything they read before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import orjson

from hub.audit.models import AuditKind, NewAuditEntry
from hub.audit.recorder import Delivered


def merged(entries: Sequence[NewAuditEntry | Delivered]) -> list[NewAuditEntry]:
    """`entries` with the deliveries of one view of one event to several people as one.
    A cohort's recipients (`Delivered`) share one entry object, whose view is worked out
    once."""
    found: list[NewAuditEntry] = []
    first: dict[bytes, int] = {}  # a delivery's view -> its entry's place in found
    names: dict[int, list[str]] = {}
    shared: dict[int, bytes] = {}  # id of a cohort's entry -> its view
    for item in entries:
        if isinstance(item, Delivered):
            key = shared.get(id(item.entry))
            if key is None:
                key = shared[id(item.entry)] = _view(item.entry)
            sub = item.sub
        else:
            entry = item
            if entry.kind is not AuditKind.DELIVERY or entry.sub is None or entry.child_ids:
                found.append(entry)
                continue
            key, sub = _view(entry), entry.sub
        place = first.get(key)
        if place is None:
            first[key] = place = len(found)
            found.append(item.own() if isinstance(item, Delivered) else item)
            names[place] = []
        names[place].append(sub)
    for place, subs in names.items():
        if len(subs) > 1:
            found[place] = replace(found[place], sub=None, recipients=tuple(subs))
    return found


def _view(e: NewAuditEntry) -> bytes:
    """Everything a delivery's entry says except who received it and over which
    connection (request and trace id)."""
    return orjson.dumps(
        [
            e.action,
            e.operation,
            e.organisation_id,
            sorted(e.roles),
            e.purpose,
            e.child_id,
            sorted(e.case_ids),
            sorted(e.disclosed),
            sorted(e.withheld),
            e.bases,
            sorted(e.flags),
            e.details,
            e.policy_version,
        ],
        option=orjson.OPT_SORT_KEYS,
        default=str,  # asyncpg's own UUIDs
    )
