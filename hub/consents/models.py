from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Consent:
    id: uuid.UUID
    child_id: uuid.UUID
    recipient_organisation_id: str
    categories: tuple[str, ...]
    valid_from: datetime
    valid_until: datetime | None
    granted_by_sub: str
    granted_by_organisation_id: str
    granted_at: datetime
    revoked_at: datetime | None

    def active(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= now
            and (self.valid_until is None or self.valid_until > now)
        )
