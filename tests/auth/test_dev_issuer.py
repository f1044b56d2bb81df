from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hub.demo.network import client_secret
from hub.policy.versions import version
from tests.conftest import RunningHub, run_hub


async def test_client_credentials_give_a_token_for_the_clients_organisation(
    hub: RunningHub,
) -> None:
    response = await hub.http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "polisen-stockholm",
            "client_secret": client_secret("polisen-stockholm"),
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    me = await hub.query(body["access_token"], "{ me { sub roles organisation { id } } }")
    assert me["me"] == {
        "sub": "client:polisen-stockholm",
        "roles": ["officer"],
        "organisation": {"id": "polisen-stockholm"},
    }


async def test_client_credentials_work_with_http_basic_too(hub: RunningHub) -> None:
    response = await hub.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("nacka", client_secret("nacka")),
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials"}, "invalid_client"),
        (
            {"grant_type": "client_credentials", "client_id": "nacka", "client_secret": "wrong"},
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "ghost", "client_secret": "x"},
            "invalid_client",
        ),
    ],
)
async def test_bad_client_credentials_are_refused(
    hub: RunningHub, form: dict[str, str], error: str
) -> None:
    response = await hub.http.post("/oauth/token", data=form)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == error


async def test_discovery_names_the_jwks_served_by_the_dev_issuer(hub: RunningHub) -> None:
    config = (await hub.http.get("/.well-known/openid-configuration")).json()
    assert config["jwks_uri"] == f"{hub.base_url}/.well-known/jwks.json"
    jwks = (await hub.http.get(config["jwks_uri"])).json()
    assert [k["kid"] for k in jwks["keys"]] == [hub.issuer.signing_key.kid]
    assert all("d" not in k for k in jwks["keys"]), "private key material must never be served"


async def test_an_unreachable_jwks_gives_503_not_a_hang(db_url: str, tmp_path: Path) -> None:
    async with run_hub(db_url, tmp_path, jwks_url="http://127.0.0.1:9/jwks.json") as hub:
        response = await hub.graphql(hub.token("nacka"), "{ me { sub } }")
    assert response.status_code == 503
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAVAILABLE"
    assert "JWKS" in error["message"]


async def test_the_hub_token_command_signs_with_the_running_hubs_key(
    hub: RunningHub, data_dir: Path
) -> None:
    result = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "hub",
            "token",
            "--org",
            "sigtuna",
            "--role",
            "caseworker",
            "--data-dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    token = result.stdout.strip()
    assert "\n" not in token
    me = await hub.query(token, "{ me { sub organisation { id } } }")
    assert me["me"] == {"sub": "caseworker@sigtuna", "organisation": {"id": "sigtuna"}}


def test_prod_has_no_dev_issuer_endpoints() -> None:
    from hub.app import create_app
    from hub.settings import Environment, Settings

    app = create_app(
        Settings(
            env=Environment.PROD,
            oidc_issuer="https://idp.example",
            accept_unreviewed_policy=version(),
        ),
        database_url="postgresql://unused/db",
    )
    paths = {getattr(r, "path", "") for r in app.routes}
    assert "/oauth/token" not in paths
    assert "/.well-known/jwks.json" not in paths
    assert app.state.runtime.dev_issuer is None


async def test_graphiql_is_off_in_prod() -> None:
    from hub.app import create_app
    from hub.graphql.view import HubGraphQL
    from hub.runtime import Runtime
    from hub.settings import Environment, Settings

    runtime = Runtime(
        Settings(
            env=Environment.PROD,
            oidc_issuer="https://idp.example",
            accept_unreviewed_policy=version(),
        ),
        "postgresql://unused/db",
    )
    assert HubGraphQL(runtime).graphql_ide is None
    app = create_app(
        Settings(
            env=Environment.PROD,
            oidc_issuer="https://idp.example",
            accept_unreviewed_policy=version(),
        ),
        database_url="postgresql://unused/db",
    )
    assert "/graphiql" not in {getattr(r, "path", "") for r in app.routes}
    assert httpx  # the real client is used by the HTTP tests above
