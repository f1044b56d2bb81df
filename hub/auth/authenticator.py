"""From a bearer token to a Principal: the token's claims checked against the registry."""

from __future__ import annotations

from collections.abc import Callable

from hub.auth.principal import Principal, Purpose, Role
from hub.auth.tokens import TokenValidator
from hub.errors import Unauthenticated
from hub.organisations.models import OrganisationKind
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
    def __init__(
        self,
        validator: TokenValidator,
        registry: OrganisationRegistry,
        may_declare: Callable[[OrganisationKind, Purpose], bool],
    ) -> None:
        """`may_declare`: the policy's word on which kinds may act for which purpose."""
        self._validator = validator
        self._registry = registry
        self._may_declare = may_declare

    async def authenticate(
        self, authorization: str | None, purpose: str | None = None
    ) -> Principal:
        """Validate the token. The token's `purpose` claim names the purposes it grants
        (protection when it names none); `purpose` (a header) may choose among them,
        never add one; and the policy says which kinds may declare which purpose."""
        claims = await self._validator.validate(bearer_token(authorization))
        organisation = await self._registry.get(claims.org)
        if organisation is None:
            raise Unauthenticated("the token's organisation (org) is not registered in the hub")
        unknown = [r for r in claims.roles if r not in _ROLES]
        if unknown:
            raise Unauthenticated(
                f"the token has an unknown role (roles); known roles: {', '.join(_ROLES)}"
            )
        granted = claims.purposes or (Purpose.PROTECTION.value,)
        wanted = purpose or granted[0]
        if wanted not in _PURPOSES or any(p not in _PURPOSES for p in granted):
            raise Unauthenticated(f"the purpose is unknown; use one of: {', '.join(_PURPOSES)}")
        if wanted not in granted:
            raise Unauthenticated(
                f"the token does not grant the purpose {wanted!r} (its purpose claim: "
                f"{', '.join(granted)}); a header may narrow the purpose, never widen it"
            )
        if not self._may_declare(organisation.kind, _PURPOSES[wanted]):
            raise Unauthenticated(
                f"an organisation of kind {organisation.kind.value} may not act for the "
                f"{wanted} purpose (policies/actions.csv)"
            )
        return Principal(
            sub=claims.sub,
            organisation=organisation,
            roles=frozenset(_ROLES[r] for r in claims.roles),
            purpose=_PURPOSES[wanted],
            expires_at=claims.expires_at,
            name=claims.name,
        )
