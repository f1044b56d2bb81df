"""Abuse is refused cleanly, with a code, while normal traffic goes on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse

from hub.auth.dev_issuer import DEV_ISSUER
from hub.graphql.limits import LimitExceeded, Limits, Measurer
from hub.graphql.persisted import digest
from hub.graphql.schema import build_schema
from hub.policy.versions import version
from hub.settings import Environment
from tests.conftest import RunningHub, run_hub

NORMAL = "{ cases(first: 5) { totalCount edges { node { id status } } } }"


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


async def _refused_while_normal_traffic_goes_on(
    hub: RunningHub, abuse: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    token = hub.token("polisen-stockholm", "officer")
    refused, *normal = await asyncio.gather(
        hub.graphql(token, abuse, variables), *(hub.graphql(token, NORMAL) for _ in range(5))
    )
    for response in normal:
        assert response.status_code == 200
        assert response.json()["data"]["cases"]["totalCount"] == 10
    body: dict[str, Any] = refused.json()
    assert body.get("data") is None
    return body


async def test_deep_nesting_is_refused(hub: RunningHub) -> None:
    levels = 8
    nested = "{ cases(first: 1) { edges { node { " + "child { cases { " * levels + "id"
    nested += " }" * (2 * levels + 4)
    body = await _refused_while_normal_traffic_goes_on(hub, nested)
    assert "depth" in body["errors"][0]["message"]


async def test_an_alias_bomb_is_refused(hub: RunningHub) -> None:
    bomb = "{ " + " ".join(f"a{i}: me {{ sub }}" for i in range(200)) + " }"
    body = await _refused_while_normal_traffic_goes_on(hub, bomb)
    assert "aliases" in body["errors"][0]["message"]


async def test_a_huge_first_is_refused_naming_the_field(hub: RunningHub) -> None:
    body = await _refused_while_normal_traffic_goes_on(
        hub, "{ cases(first: 1000000) { totalCount } }"
    )
    assert _codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "first"


async def test_pages_of_pages_are_priced_and_refused_before_running(hub: RunningHub) -> None:
    costly = """query($n: Int) { cases(first: $n) { edges { node { child { cases {
        id status sightings { id seenAt place } events { cursor type occurredAt } } } } } } }"""
    body = await _refused_while_normal_traffic_goes_on(hub, costly, {"n": 1})
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["errors"][0]["extensions"]["cost"] > body["errors"][0]["extensions"]["limit"]


async def test_a_document_of_too_many_tokens_is_refused(hub: RunningHub) -> None:
    huge = "{ " + "me { sub } " * 3000 + "}"
    body = await _refused_while_normal_traffic_goes_on(hub, huge)
    assert "tokens" in body["errors"][0]["message"]


async def test_a_batch_of_a_thousand_operations_is_refused_as_json(hub: RunningHub) -> None:
    batch = [{"query": NORMAL}] * 1000
    response = await hub.http.post(
        "/graphql",
        json=batch,
        headers={"authorization": f"Bearer {hub.token('polisen-stockholm', 'officer')}"},
    )
    assert response.status_code == 400
    assert _codes(response.json()) == ["BAD_REQUEST"]


async def test_an_oversized_body_is_refused_with_413(hub: RunningHub) -> None:
    padding = "x" * (5 << 20)
    response = await hub.http.post(
        "/graphql",
        content=json.dumps({"query": NORMAL, "variables": {"pad": padding}}),
        headers={
            "authorization": f"Bearer {hub.token('polisen-stockholm', 'officer')}",
            "content-type": "application/json",
        },
    )
    assert response.status_code == 413
    assert _codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_an_oversized_chunked_body_is_refused_too(db_url: str, data_dir: Path) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ me { sub } }", "variables": {"pad": "'
        for _ in range(8):
            yield b"x" * 1024
        yield b'"}}'

    async with run_hub(db_url, data_dir, max_body_bytes=4096) as hub:
        response = await hub.http.post(
            "/graphql",
            content=chunks(),  # no Content-Length: counted as it arrives
            headers={
                "authorization": f"Bearer {hub.token('polisen-stockholm', 'officer')}",
                "content-type": "application/json",
            },
        )
        assert response.status_code == 413
        assert (await hub.query(hub.token("nacka"), "{ me { sub } }"))["me"]


async def test_malformed_json_is_a_json_error(hub: RunningHub) -> None:
    response = await hub.http.post(
        "/graphql",
        content=b"{not json",
        headers={
            "authorization": f"Bearer {hub.token('nacka')}",
            "content-type": "application/json",
        },
    )
    assert response.status_code == 400
    assert _codes(response.json()) == ["BAD_REQUEST"]


@pytest.fixture
async def prod_hub(db_url: str, data_dir: Path, hub: RunningHub) -> AsyncIterator[RunningHub]:
    """A hub in prod mode trusting the dev hub's keys as if they were an identity provider."""
    async with run_hub(
        db_url,
        data_dir,
        issuer=hub.issuer,
        env=Environment.PROD,
        oidc_issuer=DEV_ISSUER,
        jwks_url=f"{hub.base_url}/.well-known/jwks.json",
        accept_unreviewed_policy=version(),  # the rules in this repository await review
    ) as prod:
        yield prod


async def test_prod_refuses_introspection_and_suggests_no_field_names(
    prod_hub: RunningHub,
) -> None:
    token = prod_hub.token("stockholm")
    introspection = await prod_hub.graphql(token, "{ __schema { types { name } } }")
    assert introspection.json()["data"] is None
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    typo = await prod_hub.graphql(token, "{ casez { totalCount } }")
    message = typo.json()["errors"][0]["message"]
    assert "casez" in message
    assert "Did you mean" not in message
    assert (await prod_hub.graphql(token, NORMAL)).status_code == 200


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ('{ case(idd: "x") { id } }', None),  # an argument
        ("{ cases(filter: {status: [MISING]}) { totalCount } }", None),  # an enum value
        (
            "query($s: [CaseStatus!]) { cases(filter: {status: $s}) { totalCount } }",
            {"s": ["FOUN"]},
        ),
        ("query($s: CaseStatuz) { me { sub } }", None),  # a type
        ("{ me { ...F } } fragment F on Mee { sub }", None),
    ],
)
async def test_prod_suggests_no_argument_enum_value_or_type(
    prod_hub: RunningHub, document: str, variables: dict[str, Any] | None
) -> None:
    response = await prod_hub.graphql(prod_hub.token("stockholm"), document, variables)
    errors = response.json()["errors"]
    assert errors
    assert not any("Did you mean" in e["message"] for e in errors), errors


async def test_prod_serves_no_graphiql_page(prod_hub: RunningHub) -> None:
    response = await prod_hub.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 401  # no token, no page
    assert "graphiql" not in response.text.lower()
    page = await prod_hub.http.get("/graphiql", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()


async def test_dev_suggests_field_names(hub: RunningHub) -> None:
    typo = await hub.graphql(hub.token("stockholm"), "{ casez { totalCount } }")
    assert "Did you mean" in typo.json()["errors"][0]["message"]


async def test_only_persisted_operations_run_when_the_hub_is_told_so(
    db_url: str, data_dir: Path, tmp_path: Path
) -> None:
    known = "query Mine { me { sub } }"
    safelist = tmp_path / "operations.json"
    safelist.write_text(json.dumps({digest(known): known}))
    async with run_hub(db_url, data_dir, persisted_only=safelist) as hub:
        token = hub.token("nacka")
        assert (await hub.query(token, known))["me"]["sub"] == "caseworker@nacka"
        by_hash = await hub.http.post(
            "/graphql",
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest(known)}}},
            headers={"authorization": f"Bearer {token}"},
        )
        assert by_hash.json()["data"]["me"]["sub"] == "caseworker@nacka"
        other = await hub.graphql(token, "{ me { sub organisation { id } } }")
        assert other.status_code == 400
        assert _codes(other.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_variables_that_are_not_an_object_are_a_json_error(hub: RunningHub) -> None:
    async with httpx.AsyncClient(base_url=hub.base_url) as http:
        response = await http.post(
            "/graphql",
            json={"query": NORMAL, "variables": "not an object"},
            headers={"authorization": f"Bearer {hub.token('nacka')}"},
        )
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert _codes(response.json()) == ["BAD_REQUEST"]


def _doubling_fragments(levels: int) -> str:
    """A fragment spread twice per level: 2^levels expansions in a document of a few KB."""
    fragments = ["fragment F0 on Case { id status }"]
    fragments += [f"fragment F{i} on Case {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f'query {{ case(id: "x") {{ ...F{levels - 1} }} }}\n' + "\n".join(fragments)


@pytest.mark.parametrize("levels", [10, 20, 40])
def test_measuring_a_document_visits_each_fragment_once_whatever_it_expands_to(
    levels: int,
) -> None:
    document = parse(_doubling_fragments(levels))
    measurer = Measurer(build_schema()._schema, document, Limits(cost=2**levels * 10))
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    measure = measurer.operation(operation)
    assert measure.cost == 1 + 2**levels  # priced as the expansion it is
    # the root field, its spread, two spreads per level above F0, F0's two fields: each once
    assert measurer.visited == 1 + 1 + 2 * (levels - 1) + 2


def test_measuring_stops_at_the_first_passed_limit() -> None:
    aliases = "{ " + " ".join(f"a{i}: me {{ sub }}" for i in range(1000)) + " }"
    document = parse(aliases)
    measurer = Measurer(build_schema()._schema, document, Limits(aliases=30))
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    with pytest.raises(LimitExceeded):
        measurer.operation(operation)
    assert measurer.visited <= 31 * 2


async def test_a_fragment_bomb_is_refused_while_health_checks_answer(hub: RunningHub) -> None:
    body = await _refused_while_normal_traffic_goes_on(hub, _doubling_fragments(24))
    assert _codes(body) == ["QUERY_TOO_COMPLEX"]
    assert (await hub.http.get("/healthz")).status_code == 200
