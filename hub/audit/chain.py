"""The hash chain: each row's hash covers its content and the hash of the row before it.

Computed in Python, at append (under the chain's row lock) and at verification, from one
canonical encoding, so any change to a stored row or a gap in the sequence is found.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from hub.audit.models import NewAuditEntry

GENESIS = ""


def _content(seq: int, at: datetime, e: NewAuditEntry) -> bytes:
    record: list[Any] = [
        seq,
        at.astimezone(UTC).isoformat(),
        e.kind.value,
        e.request_id,
        e.trace_id,
        e.operation,
        e.action,
        e.sub,
        e.organisation_id,
        sorted(e.roles),
        e.purpose,
        str(e.child_id) if e.child_id else None,
        # a compact entry's cases are grouped by child, in order: that order is content
        [str(c) for c in e.case_ids] if e.child_ids else sorted(str(c) for c in e.case_ids),
        sorted(e.disclosed),
        sorted(e.withheld),
        e.bases,
        sorted(e.flags),
        e.details,
    ]
    if e.policy_version is not None or e.child_ids or e.recipients:
        # rows from before versions (and before compact entries) hash as they always did
        record.append(e.policy_version)
    if e.child_ids:
        record += [[str(c) for c in e.child_ids], list(e.case_counts)]
    if e.recipients:
        record.append({"recipients": list(e.recipients)})  # in order: the order is content
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


def link(prev_hash: str, seq: int, at: datetime, entry: NewAuditEntry) -> str:
    """The hash of the row `entry` placed at `seq`, after the row hashed `prev_hash`."""
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(b"\n")
    digest.update(_content(seq, at, entry))
    return digest.hexdigest()
