"""The organisation registry, held in memory: every authenticated request consults it.

Organisations change rarely; a miss reloads the registry at most once every few seconds,
so a new organisation is known without a restart and an unknown one costs no query flood.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from hub.organisations import repository
from hub.organisations.models import Organisation


class OrganisationRegistry:
    def __init__(self, pool: asyncpg.Pool, *, min_reload: float = 5.0) -> None:
        self._pool = pool
        self._min_reload = min_reload
        self._by_id: dict[str, Organisation] = {}
        self._loaded_at = float("-inf")
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        async with self._lock:
            await self._load()

    async def _load(self) -> None:
        organisations = await repository.list_all(self._pool)
        self._by_id = {o.id: o for o in organisations}
        self._loaded_at = time.monotonic()

    async def get(self, organisation_id: str) -> Organisation | None:
        found = self._by_id.get(organisation_id)
        if found is not None:
            return found
        async with self._lock:
            if time.monotonic() - self._loaded_at >= self._min_reload:
                await self._load()
        return self._by_id.get(organisation_id)

    def all(self) -> list[Organisation]:
        return sorted(self._by_id.values(), key=lambda o: (o.kind.value, o.name))
