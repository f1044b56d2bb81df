"""How many of one thing each user holds at once: live connections (WebSockets and SSE
streams together), replays from a cursor. One counter per thing, per replica."""

from __future__ import annotations

from collections import Counter

from hub.auth.principal import Principal


def user(principal: Principal) -> str:
    """The key a user's slots are counted under."""
    return f"{principal.organisation_id}/{principal.sub}"


class Slots(Counter[str]):
    def full(self, key: str, limit: int) -> bool:
        return self[key] >= limit

    def take(self, key: str) -> None:
        self[key] += 1

    def give(self, key: str) -> None:
        """Give a slot back; a user holding none is forgotten."""
        self[key] -= 1
        if self[key] <= 0:
            del self[key]
