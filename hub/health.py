"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hub.auth.routes import public
from hub.db import migrations
from hub.parts import Parts


def routes(runtime: Parts) -> list[Route]:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        try:
            async with runtime.pool.acquire(timeout=2) as conn:
                current = await migrations.is_current(conn)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        if not current:
            return JSONResponse({"status": "unavailable", "migrations": "pending"}, 503)
        return JSONResponse({"status": "ready", "policy": runtime.policy_standing.as_json()})

    return [Route("/healthz", public(healthz)), Route("/readyz", public(readyz))]
