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

from dataclasses import replace

import orjson

from hub.audit.models import AuditKind, NewAuditEntry


def merged(entries: list[NewAuditEntry]) -> list[NewAuditEntry]:
    """`entries` with the deliveries of one view of one event to several people as one."""
    found: list[NewAuditEntry] = []
    first: dict[bytes, int] = {}  # a delivery's view -> its entry's place in found
    names: dict[int, list[str]] = {}
    for entry in entries:
        if entry.kind is not AuditKind.DELIVERY or entry.sub is None or entry.child_ids:
            found.append(entry)
            continue
        key = _view(entry)
        place = first.get(key)
        if place is None:
            first[key] = place = len(found)
            found.append(entry)
            names[place] = []
        names[place].append(entry.sub)
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
