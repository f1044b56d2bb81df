"""Access-token validation: every check named, nothing trusted that was not checked."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

from hub.auth.jwks import JwksClient
from hub.errors import Unauthenticated
from hub.text import unsafe_text

MAX_TOKEN_BYTES = 8192
VERIFIED_TOKENS = 4096  # distinct tokens whose verified signature is remembered
# no access token lives longer (`hub token --ttl` has the same bound)
MAX_LIFETIME = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Claims:
    sub: str
    org: str
    roles: tuple[str, ...]
    purposes: tuple[str, ...]  # the purposes the token grants; empty: protection only
    name: str | None
    expires_at: datetime


_Times = tuple[float, object, object]  # exp, nbf, iat: checked anew on every use


def _segment(part: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise Unauthenticated(f"the token is malformed: its {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise Unauthenticated(f"the token is malformed: its {what} is not a JSON object")
    return value


class TokenValidator:
    def __init__(
        self,
        *,
        keys: JwksClient,
        issuer: str,
        audience: str,
        algorithms: frozenset[str],
        leeway: int = 30,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._algorithms = algorithms
        self._leeway = leeway
        # by the token's digest, its claims checked: a token's text and decoded claims are
        # some 2 KiB, and a replica's WebSockets each bring a token
        self._verified: dict[bytes, tuple[str | None, KeySet, Claims, _Times]] = {}

    async def validate(self, token: str) -> Claims:
        if len(token) > MAX_TOKEN_BYTES:
            raise Unauthenticated(f"the token is larger than {MAX_TOKEN_BYTES} bytes")
        digest = hashlib.sha256(token.encode()).digest()
        verified = self._verified.get(digest)
        if verified is not None:  # its header was read and its algorithm accepted then
            kid, keys, claims, times = verified
            if await self._keys.key_for(kid) is keys:
                self._check_times(*times)  # the time checks run on every use
                return claims
        parts = token.split(".")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise Unauthenticated("the token is malformed: a JWT has three dot-separated parts")
        header = _segment(parts[0], "header")
        alg = header.get("alg")
        if alg not in self._algorithms:
            accepted = ", ".join(sorted(self._algorithms))
            raise Unauthenticated(
                f"the token's algorithm (alg) is not accepted; use one of {accepted}"
            )
        if not parts[2]:
            raise Unauthenticated("the token has no signature")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise Unauthenticated("the token's key id (kid) is not a string")
        keys = await self._keys.key_for(kid)
        try:
            decoded = jwt.decode(token, keys, algorithms=[alg])
        except BadSignatureError:
            raise Unauthenticated("the token's signature is not valid") from None
        except (JoseError, ValueError):
            raise Unauthenticated(
                "the token's signature cannot be checked with the issuer's key"
            ) from None
        claims = self._check_claims(decoded.claims)
        c = decoded.claims
        self._remember(digest, kid, keys, claims, (c["exp"], c.get("nbf"), c.get("iat")))
        return claims

    def _remember(
        self, digest: bytes, kid: str | None, keys: KeySet, claims: Claims, times: _Times
    ) -> None:
        """Keep a token whose signature checked out, bound to the key set that checked it:
        a client sends the same token with every request until it expires, and the
        signature check is most of the cost of authenticating one. A refreshed key set
        is a new object, so a rotated-out key's tokens are checked (and refused) again."""
        if len(self._verified) >= VERIFIED_TOKENS:
            self._verified.pop(next(iter(self._verified)))  # the oldest
        self._verified[digest] = (kid, keys, claims, times)

    def _check_claims(self, claims: dict[str, Any]) -> Claims:
        if claims.get("iss") != self._issuer:
            raise Unauthenticated("the token's issuer (iss) is not trusted by this hub")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if self._audience not in audiences:
            raise Unauthenticated(f"the token's audience (aud) does not include {self._audience!r}")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise Unauthenticated("the token has no expiry (exp)")
        self._check_times(exp, claims.get("nbf"), claims.get("iat"))
        sub, org = claims.get("sub"), claims.get("org")
        if not isinstance(sub, str) or not sub:
            raise Unauthenticated("the token has no subject (sub)")
        if not isinstance(org, str) or not org:
            raise Unauthenticated("the token has no organisation (org)")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthenticated("the token's roles claim is not a list of strings")
        purpose, name = claims.get("purpose"), claims.get("name")
        bad = next(unsafe_text({"sub": sub, "org": org, "name": name, "purpose": purpose}), None)
        if bad is not None or next(unsafe_text(roles), None) is not None:
            raise Unauthenticated(
                f"the token's {bad or 'roles'} claim holds a NUL or an unpaired surrogate"
            )
        return Claims(
            sub=sub,
            org=org,
            roles=tuple(roles),
            purposes=_purposes(purpose),
            name=name if isinstance(name, str) else None,
            expires_at=datetime.fromtimestamp(exp, UTC),
        )

    def _check_times(self, exp: float, nbf: object, iat: object) -> None:
        now = time.time()
        if not math.isfinite(exp) or exp > now + MAX_LIFETIME:
            raise Unauthenticated("the token's expiry (exp) is more than 7 days away")
        if exp + self._leeway < now:
            raise Unauthenticated("the token has expired (exp)")
        if nbf is not None and (not isinstance(nbf, int | float) or nbf - self._leeway > now):
            raise Unauthenticated("the token is not valid yet (nbf)")
        if iat is not None and (not isinstance(iat, int | float) or iat - self._leeway > now):
            raise Unauthenticated("the token was issued in the future (iat)")


def _purposes(claim: object) -> tuple[str, ...]:
    """The `purpose` claim: one purpose, or a list of those the token grants."""
    if isinstance(claim, str):
        return (claim,)
    if isinstance(claim, list) and all(isinstance(p, str) for p in claim):
        return tuple(claim)
    if claim is None:
        return ()
    raise Unauthenticated("the token's purpose claim is neither a string nor a list of them")
