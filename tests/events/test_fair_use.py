"""One principal cannot degrade the others: replays, sightings and lists are bounded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.requests import Request

from hub.events.subscription import TooManyReplays, deliveries
from hub.graphql.context import Context
from tests.conftest import RunningHub, run_hub
from tests.policy.test_sharing_over_http import MISSING_CASE

SIGHTING = """mutation($input: AddSightingInput!) { addSighting(input: $input) { case { id } } }"""


async def test_one_user_runs_at_most_max_replays_at_once(db_url: str, data_dir: Path) -> None:
    async with run_hub(db_url, data_dir, max_replays=1) as hub:
        runtime = hub.runtime
        principal = await runtime.authenticator.authenticate(
            f"Bearer {hub.token('polisen-stockholm', 'officer')}"
        )

        def context() -> Context:
            scope = {"type": "http", "headers": [], "principal": principal}
            return Context.of(runtime, Request(scope))

        first = deliveries(context(), 0, None)
        await anext(first)  # replaying, paused at its first event
        second = deliveries(context(), 0, None)
        with pytest.raises(TooManyReplays):
            await anext(second)
        await first.aclose()  # done with: the replay is given back
        third = deliveries(context(), 0, None)
        await anext(third)
        await third.aclose()
        assert not runtime.replays


async def test_one_person_adds_at_most_ten_sightings_to_a_case_in_ten_minutes(
    hub: RunningHub,
) -> None:
    def sighting(n: int) -> dict[str, object]:
        return {"caseId": MISSING_CASE, "seenAt": datetime.now(UTC).isoformat(), "place": f"P{n}"}

    flooder = hub.token("polisen-stockholm", "officer", sub="flooder")
    for n in range(10):
        await hub.query(flooder, SIGHTING, input=sighting(n))
    refused = (await hub.graphql(flooder, SIGHTING, {"input": sighting(10)})).json()
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert refused["errors"][0]["extensions"]["retryAfter"] == 600
    colleague = hub.token("polisen-stockholm", "officer", sub="colleague")
    await hub.query(colleague, SIGHTING, input=sighting(11))


async def test_a_cases_sightings_come_in_pages(hub: RunningHub) -> None:
    police = hub.token("polisen-stockholm", "officer")
    for n in range(3):
        await hub.query(
            police,
            SIGHTING,
            input={
                "caseId": MISSING_CASE,
                "seenAt": datetime.now(UTC).isoformat(),
                "place": f"S{n}",
            },
        )
    query = """query($id: ID!, $first: Int!, $after: ID) { case(id: $id) {
        sightings(first: $first, after: $after) { id place } } }"""
    everything = (await hub.query(police, query, id=MISSING_CASE, first=500))["case"]["sightings"]
    page = (await hub.query(police, query, id=MISSING_CASE, first=2))["case"]["sightings"]
    assert page == everything[:2]
    rest = await hub.query(police, query, id=MISSING_CASE, first=500, after=page[-1]["id"])
    assert rest["case"]["sightings"] == everything[2:]
    too_many = await hub.graphql(police, query, {"id": MISSING_CASE, "first": 501})
    assert too_many.json()["errors"][0]["extensions"]["field"] == "first"


async def test_lists_are_priced_by_the_most_they_may_hold(hub: RunningHub) -> None:
    nested = """{ children(first: 100) { edges { node {
        cases { events { cursor } sightings(first: 500) { id } } } } } }"""
    body = (await hub.graphql(hub.token("stockholm"), nested)).json()
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    board = """{ cases(first: 100) { edges { node { id status events { cursor }
        withheld { category } child { givenName withheld { category } } } } } }"""
    assert (await hub.query(hub.token("stockholm"), board))["cases"]
