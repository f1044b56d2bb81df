"""The issuer's public keys, fetched over HTTP and cached.

An unknown `kid` triggers at most one refresh per `min_refresh` seconds, so rotation at
the identity provider works without a restart while a flood of forged kids cannot turn
the hub into a load generator against it.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from hub.errors import Unauthenticated, Unavailable


class JwksClient:
    def __init__(
        self,
        *,
        jwks_url: str | None,
        issuer: str | None,
        http: httpx.AsyncClient,
        min_refresh: float = 10.0,
        max_age: float = 3600.0,
    ) -> None:
        if jwks_url is None and issuer is None:
            raise ValueError("a JWKS URL or an issuer to discover it from is required")
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._http = http
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")
        self._kid_refresh_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> KeySet:
        """A key set holding the key `kid` (or the only key when the token names none)."""
        keys = self._keys
        if keys is None or time.monotonic() - self._fetched_at > self._max_age:
            keys = await self._refresh(self._fetched_at)
        if self._has(keys, kid):
            return keys
        keys = await self._refresh_for_unknown_kid()
        if self._has(keys, kid):
            return keys
        raise Unauthenticated("the token is signed with a key the issuer does not publish (kid)")

    @staticmethod
    def _has(keys: KeySet, kid: str | None) -> bool:
        if kid is None:
            return len(keys.keys) == 1
        try:
            keys.get_by_kid(kid)
        except (ValueError, JoseError):
            return False
        return True

    async def _refresh_for_unknown_kid(self) -> KeySet:
        seen = self._fetched_at
        async with self._lock:
            # rate limit: at most one kid-triggered refresh per `min_refresh` seconds
            if (
                self._keys is not None
                and time.monotonic() - self._kid_refresh_at < self._min_refresh
            ):
                return self._keys
            self._kid_refresh_at = time.monotonic()
        return await self._refresh(seen)

    async def _refresh(self, seen: float) -> KeySet:
        """Fetch anew, unless another request already did since `seen`."""
        async with self._lock:
            if self._keys is not None and self._fetched_at > seen:
                return self._keys
            self._keys = await self._fetch()
            self._fetched_at = time.monotonic()
            return self._keys

    async def _fetch(self) -> KeySet:
        try:
            url = self._jwks_url or await self._discover()
            response = await self._http.get(url, timeout=5.0)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
        except (httpx.HTTPError, ValueError, JoseError) as exc:
            raise Unavailable(
                "the identity provider's keys (JWKS) cannot be fetched right now; try again shortly"
            ) from exc

    async def _discover(self) -> str:
        assert self._issuer is not None
        config_url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
        response = await self._http.get(config_url, timeout=5.0)
        response.raise_for_status()
        jwks_uri = response.json().get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValueError("discovery document has no jwks_uri")
        self._jwks_url = jwks_uri
        return jwks_uri
