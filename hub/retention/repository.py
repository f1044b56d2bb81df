"""All SQL of the retention run."""

from __future__ import annotations

import uuid
from datetime import datetime

from hub.db.session import Db

# children with at least one case, none open, the last closed before the cutoff
_DUE = """
SELECT ch.id
  FROM children ch
 WHERE ch.pseudonymised_at IS NULL
   AND EXISTS (SELECT 1 FROM cases k WHERE k.child_id = ch.id)
   AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.child_id = ch.id
                    AND (k.closed_at IS NULL OR k.closed_at >= $1))
 ORDER BY ch.id
"""

# What identifies a person goes; what statistics need (sex, nationality, the year of
# birth, the municipality, the case history's dates and states) stays.
_PSEUDONYMISE = [
    """UPDATE children SET
           given_name = 'Pseudonym', family_name = left(replace(id::text, '-', ''), 12),
           birth_date = date_trunc('year', birth_date)::date, languages = '{}',
           dossier_number = NULL, placement_address = NULL, guardian_sub = NULL,
           height_cm = NULL, build = NULL, hair = NULL, eyes = NULL, marks = NULL,
           clothing = NULL, photo_url = NULL, contacts = '[]', asylum_status = NULL,
           health = NULL, risk_indicators = '{}', risk_assessment = NULL,
           pseudonymised_at = now(), updated_at = now(), version = version + 1
     WHERE id = ANY($1::uuid[])""",
    """UPDATE cases SET last_seen_place = NULL, circumstances = NULL, found_place = NULL,
           return_interview = NULL, police_report_number = NULL
     WHERE child_id = ANY($1::uuid[])""",
    """UPDATE sightings SET place = '-', note = NULL
     WHERE case_id IN (SELECT id FROM cases WHERE child_id = ANY($1::uuid[]))""",
    "DELETE FROM photos WHERE child_id = ANY($1::uuid[])",
    "DELETE FROM description_history WHERE child_id = ANY($1::uuid[])",
]


async def due(db: Db, closed_before: datetime) -> list[uuid.UUID]:
    return [r["id"] for r in await db.fetch(_DUE, closed_before)]


async def pseudonymise(db: Db, child_ids: list[uuid.UUID]) -> None:
    for statement in _PSEUDONYMISE:
        await db.execute(statement, child_ids)
