"""The hash chain: each row's hash covers its content and the hash of the row before it.

Computed in Python, at append (under the chain's row lock) and at verification, from one
canonical encoding, so any change to a stored row or a gap in the sequence is found.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.audit.models import AuditEntry, NewAuditEntry

GENESIS = ""
# orjson refuses what json.dumps would refuse too, rather than write it its own way
_STRICT = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def canonical(record: list[Any], details: Any) -> bytes:
    """`json.dumps(record, sort_keys=True, separators=(",", ":"))`, encoded: the bytes a
    row's hash covers. orjson writes the same bytes at a tenth of the cost where its
    output is printable ASCII and `details` (the one part of a record that may hold any
    JSON) has no float: json escapes DEL and every character past it, and spells some
    floats otherwise. Anything else is json's own (tests/audit/test_canonical.py)."""
    if not _has_float(details):
        try:
            fast = orjson.dumps(record, option=_STRICT)
        except orjson.JSONEncodeError:  # a surrogate, an integer past 64 bits, ...
            pass
        else:
            if fast.isascii() and b"\x7f" not in fast:
                return fast
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode()


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_float(v) for v in value)
    return False


def _content(seq: int, at: datetime, e: NewAuditEntry | AuditEntry) -> bytes:
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
        _cases(e),
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
    return canonical(record, e.details)


def _cases(e: NewAuditEntry | AuditEntry) -> str | list[str]:
    """A compact entry's cases are grouped by child, in order: that order is content.
    Since migration 0020 they are one value, hashed as its hex; before, a list."""
    if e.case_bytes is not None:
        return e.case_bytes.hex()
    if e.child_ids:
        return [str(c) for c in e.case_ids]
    return sorted(str(c) for c in e.case_ids)


def link(prev_hash: str, seq: int, at: datetime, entry: NewAuditEntry | AuditEntry) -> str:
    """The hash of the row `entry` placed at `seq`, after the row hashed `prev_hash`: an
    entry being appended, or a stored row being verified (its content as it was read)."""
    digest = hashlib.sha256(prev_hash.encode())
    digest.update(b"\n")
    digest.update(_content(seq, at, entry))
    return digest.hexdigest()
