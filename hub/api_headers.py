"""Every API response says: do not cache me, do not guess my type.

Answers hold personal data (no shared or browser cache may keep them: no-store) and are
JSON, CSV, images or event streams that a browser must never sniff into HTML (nosniff).
The console's static files set their own headers (hub.console_site).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_STATIC = ("/console", "/graphiql")


class ApiHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_STATIC):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
