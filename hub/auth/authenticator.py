"""From a bearer token to a Principal: the token's claims checked against the registry."""

from __future__ import annotations

from hub.auth.principal import Principal, Purpose, Role
from hub.auth.tokens import TokenValidator
from hub.errors import Unauthenticated
from hub.organisations.registry import OrganisationRegistry

_ROLES = {r.value: r for r in Role}
_PURPOSES = {p.value: p for p in Purpose}


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("no access token; send 'Authorization: Bearer <token>'")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


class Authenticator:
    def __init__(self, validator: TokenValidator, registry: OrganisationRegistry) -> None:
        self._validator = validator
        self._registry = registry

    async def authenticate(
        self, authorization: str | None, purpose: str | None = None
    ) -> Principal:
        """Validate the token; `purpose` (a header) overrides the token's own claim."""
        claims = await self._validator.validate(bearer_token(authorization))
        organisation = await self._registry.get(claims.org)
        if organisation is None:
            raise Unauthenticated("the token's organisation (org) is not registered in the hub")
        unknown = [r for r in claims.roles if r not in _ROLES]
        if unknown:
            raise Unauthenticated(
                f"the token has an unknown role (roles); known roles: {', '.join(_ROLES)}"
            )
        wanted = purpose or claims.purpose or Purpose.PROTECTION.value
        if wanted not in _PURPOSES:
            raise Unauthenticated(f"the purpose is unknown; use one of: {', '.join(_PURPOSES)}")
        return Principal(
            sub=claims.sub,
            organisation=organisation,
            roles=frozenset(_ROLES[r] for r in claims.roles),
            purpose=_PURPOSES[wanted],
            expires_at=claims.expires_at,
            name=claims.name,
        )
