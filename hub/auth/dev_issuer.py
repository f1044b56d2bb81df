"""A development token issuer, so the demo and the tests use the real validation path.

Its signing keys live in the data directory (`dev-issuer/keys.json`), so `hub token`
signs tokens that a running demo accepts. It exists only in `HUB_ENV=dev`; the app
refuses to build one otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

DEV_ISSUER = "urn:hub:dev-issuer"
DEFAULT_TTL = 3600


class DevIssuer:
    def __init__(self, data_dir: Path, *, audience: str) -> None:
        self._path = data_dir / "dev-issuer" / "keys.json"
        self.audience = audience
        self._keys = self._load_or_create()

    def _load_or_create(self) -> list[ECKey]:
        if self._path.exists():
            raw = json.loads(self._path.read_text())
            return [ECKey.import_key(k) for k in raw["keys"]]
        keys = [self._new_key()]
        self._save(keys)
        return keys

    @staticmethod
    def _new_key() -> ECKey:
        key = ECKey.generate_key("P-256", private=True, auto_kid=True)
        return key

    def _save(self, keys: list[ECKey]) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        body = {"keys": [k.as_dict(private=True) for k in keys]}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(body, out)
        tmp.replace(self._path)

    def rotate(self) -> str:
        """Add a new signing key (the old stays published for tokens in flight); its kid."""
        key = self._new_key()
        self._keys = [*self._keys[-1:], key]
        self._save(self._keys)
        return str(key.kid)

    @property
    def signing_key(self) -> ECKey:
        return self._keys[-1]

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet(list(self._keys)).as_dict(private=False))

    def issue(
        self,
        *,
        sub: str,
        org: str,
        roles: list[str],
        ttl: int = DEFAULT_TTL,
        purpose: str | list[str] | None = None,
        name: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        key = self.signing_key
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": DEV_ISSUER,
            "aud": self.audience,
            "sub": sub,
            "org": org,
            "roles": roles,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": secrets.token_urlsafe(12),
        }
        if purpose:
            claims["purpose"] = purpose
        if name:
            claims["name"] = name
        claims.update(extra or {})
        return jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)
