from __future__ import annotations

import uuid


def parse_id(value: str) -> uuid.UUID | None:
    """A row id from the caller; `None` when it cannot name a row, which reads as not found."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
