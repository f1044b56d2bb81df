"""The HTTP server: uvicorn, with a shutdown that tells live clients to come back, and
a deadline for a request's headers (HUB_HEADER_TIMEOUT): a client that trickles them
in (slowloris) is cut off instead of holding a socket open forever.

On SIGTERM the hub stops accepting connections, closes every GraphQL WebSocket with
1001 "going away" (clients reconnect, to another replica behind a load balancer, and
resume from their last cursor), lets in-flight HTTP requests finish for up to
`GRACE_SECONDS`, then stops its own work (scheduler, event pump, pool), and last runs
what the process asked to be done at its end (flushing telemetry). That last step is part
of the shutdown itself, because uvicorn raises the signal again once it has shut down and
a SIGTERM then ends the process before any `finally` of the caller runs.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from hub.websocket_protocol import HubWebSocketProtocol

GRACE_SECONDS = 10


class HubServer(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, app: Starlette, at_end: Sequence[Callable[[], None]] = ()
    ) -> None:
        super().__init__(config)
        self.hub_app = app
        self.at_end = list(at_end)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await self.hub_app.state.graphql.going_away()
            await super().shutdown(sockets)
        finally:
            self.end()

    def end(self) -> None:
        """Run the `at_end` steps, once: from the shutdown, or after a run that never got
        that far (a start-up that failed)."""
        steps, self.at_end = self.at_end, []
        for step in steps:
            step()


class _TimelyHeaders(HttpToolsProtocol):
    """uvicorn's HTTP protocol with a deadline from a request's first byte (or the
    connection's opening) to the end of its headers."""

    header_timeout = 10.0
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        self.transport.close()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # the socket is the WebSocket protocol's now; httptools' parser and this protocol
        # refer to each other, so let go here rather than leave both to the cyclic
        # garbage collector (thousands of boards connecting each morning)
        self.parser = None  # type: ignore[assignment]


def server_for(
    app: Starlette, log_level: str, at_end: Sequence[Callable[[], None]] = ()
) -> HubServer:
    """The hub's server; `at_end` runs once everything else has stopped, signal or not."""
    settings = app.state.runtime.settings
    protocol = type("HubHttp", (_TimelyHeaders,), {"header_timeout": settings.header_timeout})
    config = uvicorn.Config(
        app,
        log_level=log_level.lower(),
        log_config=None,  # uvicorn's loggers go through ours (JSON, request ids)
        access_log=False,  # a URL's query string may carry a query's text
        lifespan="on",
        ws=HubWebSocketProtocol,  # uvicorn's websockets-sansio, see hub.websocket_protocol
        # no permessage-deflate: its zlib state costs 60-90 KiB per connection from the first
        # message and some 30 µs a frame, for frames of a few hundred bytes
        ws_per_message_deflate=False,
        http=protocol,
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    return HubServer(config, app, at_end)
