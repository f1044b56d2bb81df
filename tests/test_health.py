from __future__ import annotations

import asyncpg

from tests.conftest import RunningHub


async def test_healthz_answers_without_a_token(hub: RunningHub) -> None:
    response = await hub.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_ready_when_the_database_is_migrated(hub: RunningHub) -> None:
    response = await hub.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_reports_pending_migrations(hub: RunningHub, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM schema_migrations WHERE version = 2")
    response = await hub.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


async def test_graphiql_is_served_to_a_browser_in_dev(hub: RunningHub) -> None:
    response = await hub.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_only_the_graphiql_page_itself_is_served_without_a_token(hub: RunningHub) -> None:
    for path in ("/photos/00000000-0000-0000-0000-000000000000", "/graphql/stream"):
        response = await hub.http.get(path, headers={"accept": "text/html"})
        assert response.status_code == 401, path
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
