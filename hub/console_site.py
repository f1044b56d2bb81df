"""The reference console: static files at /console, and (dev issuer only) the demo
personas it signs in as. Plain HTML, CSS and JavaScript; nothing to build."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from hub.auth.dev_issuer import DevIssuer
from hub.auth.principal import Role
from hub.auth.routes import public
from hub.demo import network

CONSOLE_DIR = Path(__file__).resolve().parent / "console"
PERSONA_TTL = 8 * 3600
# what the console's pages may load and talk to: itself only
_SECURITY = [
    (
        b"content-security-policy",
        b"default-src 'self'; connect-src 'self'; "
        b"img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class _ConsoleFiles(StaticFiles):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY]
            await send(message)

        await super().__call__(scope, receive, with_headers)


def _roles(org_id: str) -> list[str]:
    """The organisation's example role, and its auditor."""
    return [network.EXAMPLE_ROLES.get(org_id, Role.CASEWORKER.value), Role.AUDITOR.value]


def dev_routes(issuer: DevIssuer) -> list[BaseRoute]:
    async def personas(_: Request) -> Response:
        return JSONResponse(
            {
                "organisations": [
                    {
                        "id": o.id,
                        "name": o.name,
                        "kind": o.kind.value,
                        "roles": _roles(o.id),
                    }
                    for o in network.ORGANISATIONS
                ]
            }
        )

    async def token(request: Request) -> Response:
        try:
            body = await request.json()
            org, role = str(body["org"]), str(body["role"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": 'send {"org": ..., "role": ...}'}, status_code=400)
        known = {o.id for o in network.ORGANISATIONS}
        if org not in known or role not in _roles(org):
            return JSONResponse({"error": "no such demo persona"}, status_code=400)
        sub = network.GUARDIAN_SUBS[0] if role == Role.GUARDIAN.value else f"{role}@{org}"
        access = issuer.issue(sub=sub, org=org, roles=[role], ttl=PERSONA_TTL)
        return JSONResponse(
            {"access_token": access, "token_type": "Bearer", "expires_in": PERSONA_TTL},
            headers={"cache-control": "no-store"},
        )

    return [
        Route("/dev/personas", public(personas)),
        Route("/dev/token", public(token), methods=["POST"]),
    ]


def routes(issuer: DevIssuer | None) -> list[BaseRoute]:
    async def to_console(_: Request) -> Response:
        return RedirectResponse("/console/")

    found: list[BaseRoute] = [
        Route("/", public(to_console)),  # the newcomer's first page
        Route("/console", public(to_console)),
        Mount("/console", public(_ConsoleFiles(directory=CONSOLE_DIR, html=True)), name="console"),
    ]
    return found + (dev_routes(issuer) if issuer is not None else [])
