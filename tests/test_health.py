from __future__ import annotations

import re

import asyncpg
import pytest

from hub.policy.versions import version
from tests.conftest import RunningHub


async def test_healthz_answers_without_a_token(hub: RunningHub) -> None:
    response = await hub.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_ready_when_the_database_is_migrated(hub: RunningHub) -> None:
    response = await hub.http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["policy"] == {
        "version": version(),
        "reviewed": False,  # dev runs whatever policies/ holds
        "reviewedOn": None,
        "acceptedUnreviewed": False,
    }


async def test_readyz_reports_pending_migrations(hub: RunningHub, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM schema_migrations WHERE version = 2")
    response = await hub.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


async def test_graphiql_is_served_to_a_browser_in_dev_from_a_route_of_its_own(
    hub: RunningHub,
) -> None:
    opened = await hub.http.get("/graphql", headers={"accept": "text/html"})
    assert opened.status_code == 307
    assert opened.headers["location"] == "/graphiql"
    response = await hub.http.get("/graphiql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert 'new URL("/graphql"' in response.text  # the page talks to the endpoint
    assert "unpkg.com" not in response.text
    for src in re.findall(r'(?:src|href)="(/graphiql/static/[^"]+)"', response.text):
        asset = await hub.http.get(src)
        assert asset.status_code == 200, src
        assert len(asset.content) > 500, src


async def test_the_root_leads_a_newcomer_to_the_console(hub: RunningHub) -> None:
    response = await hub.http.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/console/"


@pytest.mark.parametrize(
    "query_string",
    [
        "query=%7B%20me%20%7B%20sub%20%7D%20%7D",
        "%71uery=%7B%20me%20%7B%20sub%20%7D%20%7D",  # "query" percent-encoded
        "qu%65ry=%7B%20me%20%7B%20sub%20%7D%20%7D",
        "query=%7B__typename%7D&x=1",
        "QUERY=%7B%20me%20%7B%20sub%20%7D%20%7D",
    ],
)
async def test_no_graphql_operation_runs_without_a_token_whatever_its_encoding(
    hub: RunningHub, query_string: str
) -> None:
    for accept in ("text/html", "application/json", "*/*"):
        response = await hub.http.get(f"/graphql?{query_string}", headers={"accept": accept})
        assert response.status_code == 401, (query_string, accept)
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_only_the_graphiql_page_itself_is_served_without_a_token(hub: RunningHub) -> None:
    for path in ("/photos/00000000-0000-0000-0000-000000000000", "/graphql/stream"):
        response = await hub.http.get(path, headers={"accept": "text/html"})
        assert response.status_code == 401, path
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_api_answers_are_never_cached_nor_sniffed(hub: RunningHub) -> None:
    token = hub.token("nacka")
    for response in (
        await hub.graphql(token, "{ me { sub } }"),
        await hub.graphql(None, "{ me { sub } }"),
        await hub.http.get("/healthz"),
        await hub.http.get("/audit/export.csv", headers={"authorization": f"Bearer {token}"}),
    ):
        assert response.headers["cache-control"] in ("no-store", "private, no-store")
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_the_console_may_talk_to_its_own_origin_only(hub: RunningHub) -> None:
    page = await hub.http.get("/console/")
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self';" in policy
    assert "ws:" not in policy
    assert "wss:" not in policy


def test_a_route_that_declares_no_protection_stops_the_app_from_being_built() -> None:
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from hub.auth.routes import check_routes
    from hub.errors import ConfigurationError

    async def forgotten(_: object) -> PlainTextResponse:
        return PlainTextResponse("children's data")

    with pytest.raises(ConfigurationError, match="route /new declares neither"):
        check_routes([Route("/new", forgotten)])


async def test_protected_routes_refuse_other_methods_and_anonymous_callers(
    hub: RunningHub,
) -> None:
    for method, path in (
        ("POST", "/photos/00000000-0000-0000-0000-000000000000"),
        ("GET", "/audit/export.csv"),
        ("GET", "/graphql/stream"),
        ("POST", "/graphql"),
    ):
        response = await hub.http.request(method, path)
        assert response.status_code in (401, 405), (method, path)
