"""HTTP endpoints of the dev issuer: JWKS, discovery, and client-credentials tokens."""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.auth import repository
from hub.auth.dev_issuer import DEV_ISSUER, DevIssuer
from hub.auth.repository import secret_hash
from hub.auth.routes import public
from hub.parts import Parts

CLIENT_TOKEN_TTL = 900


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"cache-control": "no-store"},
    )


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, sep, secret = decoded.partition(":")
        return (client_id, secret) if sep else None
    if form.get("client_id") and form.get("client_secret"):
        return form["client_id"], form["client_secret"]
    return None


def routes(runtime: Parts, issuer: DevIssuer) -> list[Route]:
    async def jwks(_: Request) -> Response:
        return JSONResponse(issuer.jwks(), headers={"cache-control": "max-age=60"})

    async def discovery(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "issuer": DEV_ISSUER,
                "jwks_uri": f"{base}/.well-known/jwks.json",
                "token_endpoint": f"{base}/oauth/token",
                "grant_types_supported": ["client_credentials"],
                "id_token_signing_alg_values_supported": ["ES256"],
            }
        )

    async def token(request: Request) -> Response:
        body = await request.body()
        if len(body) > 4096:
            return _oauth_error("invalid_request", "the request body is too large")
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error("unsupported_grant_type", "only client_credentials is supported")
        credentials = _client_credentials(request, form)
        if credentials is None:
            return _oauth_error("invalid_client", "send client_id and client_secret", 401)
        client_id, secret = credentials
        client = await repository.get_client(runtime.pool, client_id)
        if client is None or not hmac.compare_digest(client.secret_sha256, secret_hash(secret)):
            return _oauth_error("invalid_client", "unknown client or wrong secret", 401)
        access_token = issuer.issue(
            sub=f"client:{client.client_id}",
            org=client.organisation_id,
            roles=list(client.roles),
            ttl=CLIENT_TOKEN_TTL,
        )
        return JSONResponse(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": CLIENT_TOKEN_TTL},
            headers={"cache-control": "no-store"},
        )

    return [
        Route("/.well-known/jwks.json", public(jwks)),
        Route("/.well-known/openid-configuration", public(discovery)),
        Route("/oauth/token", public(token), methods=["POST"]),
    ]
