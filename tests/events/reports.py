"""What the live-update tests report to make events: a sighting, reported by the police
through the API as an officer would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hub.demo.seed import _id
from tests.conftest import RunningHub

MISSING_CASE = str(_id("case", 17))  # Nacka's child, reported missing
SIGHTING = """mutation($input: AddSightingInput!) { addSighting(input: $input) { case { id } } }"""


async def sight(hub: RunningHub, place: str, case_id: str = MISSING_CASE) -> None:
    """A police officer reports the child seen at `place` a minute ago."""
    seen = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    await hub.query(
        hub.token("polisen-stockholm", "officer"),
        SIGHTING,
        input={"caseId": case_id, "seenAt": seen, "place": place},
    )
