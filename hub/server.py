"""The HTTP server: uvicorn, with a shutdown that tells live clients to come back.

On SIGTERM the hub stops accepting connections, closes every GraphQL WebSocket with
1001 "going away" (clients reconnect, to another replica behind a load balancer, and
resume from their last cursor), lets in-flight HTTP requests finish for up to
`GRACE_SECONDS`, then stops its own work (scheduler, event pump, pool).
"""

from __future__ import annotations

import socket

import uvicorn
from starlette.applications import Starlette

GRACE_SECONDS = 10


class HubServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self.hub_app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self.hub_app.state.graphql.going_away()
        await super().shutdown(sockets)


def server_for(app: Starlette, log_level: str) -> HubServer:
    config = uvicorn.Config(
        app,
        log_level=log_level.lower(),
        log_config=None,  # uvicorn's loggers go through ours (JSON, request ids)
        access_log=False,  # a URL's query string may carry a query's text
        lifespan="on",
        ws="websockets-sansio",
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
    return HubServer(config, app)
