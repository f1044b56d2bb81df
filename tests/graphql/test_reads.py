"""The first domain slice read through the real stack: organisations, children, cases.

The police see every case (status while there is a case) and Migrationsverket every
child (identity, its own record); these tests read through them.
"""

from __future__ import annotations

from hub.demo import network
from hub.demo.seed import CHILD_COUNT, _id
from tests.conftest import RunningHub

CASES = """
query Cases($first: Int, $after: String, $filter: CaseFilter) {
  cases(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id status openedAt child { id givenName } } }
  }
}
"""


async def test_organisations_lists_the_demo_network_with_stable_ids(hub: RunningHub) -> None:
    data = await hub.query(hub.token("stockholm"), "{ organisations { id kind name } }")
    ids = {o["id"] for o in data["organisations"]}
    assert ids == {o.id for o in network.ORGANISATIONS}


async def test_cases_pages_through_every_case_exactly_once(hub: RunningHub) -> None:
    token = hub.token("polisen-stockholm", "officer")
    seen: list[str] = []
    after = None
    while True:
        page = (await hub.query(token, CASES, first=3, after=after))["cases"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 10


async def test_cases_are_listed_newest_first(hub: RunningHub) -> None:
    edges = (await hub.query(hub.token("polisen-stockholm", "officer"), CASES, first=50))["cases"][
        "edges"
    ]
    opened = [e["node"]["openedAt"] for e in edges]
    assert opened == sorted(opened, reverse=True)


async def test_cases_filter_by_status_and_child(hub: RunningHub) -> None:
    token = hub.token("polisen-stockholm", "officer")
    missing = (await hub.query(token, CASES, filter={"status": ["REPORTED_MISSING"]}))["cases"]
    assert missing["totalCount"] == 3
    assert {e["node"]["status"] for e in missing["edges"]} == {"REPORTED_MISSING"}
    child_id = str(_id("child", 17))
    one = (await hub.query(token, CASES, filter={"childId": child_id}))["cases"]
    assert [e["node"]["child"]["id"] for e in one["edges"]] == [child_id]


async def test_case_reads_one_case_with_its_child_and_sightings(hub: RunningHub) -> None:
    query = """query($id: ID!) { case(id: $id) {
        status policeReportNumber sightings { place } child { givenName cases { id } } } }"""
    data = await hub.query(
        hub.token("polisen-stockholm", "officer"), query, id=str(_id("case", 17))
    )
    case = data["case"]
    assert case["status"] == "REPORTED_MISSING"
    assert case["policeReportNumber"].startswith("5000-K")
    assert len(case["sightings"]) == 1
    assert case["child"]["cases"] == [{"id": str(_id("case", 17))}]


async def test_an_unknown_or_malformed_id_reads_as_null(hub: RunningHub) -> None:
    token = hub.token("polisen-stockholm", "officer")
    query = "query($id: ID!) { case(id: $id) { id } child(id: $id) { id } }"
    for value in (str(_id("case", 9999)), "not-a-uuid"):
        assert await hub.query(token, query, id=value) == {"case": None, "child": None}


async def test_children_pages_in_registration_order(hub: RunningHub) -> None:
    query = """query($after: String) { children(first: 100, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    token = hub.token("migrationsverket")
    first = (await hub.query(token, query))["children"]
    assert first["totalCount"] == CHILD_COUNT
    assert first["pageInfo"]["hasNextPage"]
    second = (await hub.query(token, query, after=first["pageInfo"]["endCursor"]))["children"]
    ids = [e["node"]["id"] for e in first["edges"] + second["edges"]]
    assert ids == [str(_id("child", n)) for n in range(1, CHILD_COUNT + 1)]


async def test_children_filter_by_open_case(hub: RunningHub) -> None:
    query = "{ children(filter: {hasOpenCase: true}) { totalCount } }"
    assert (await hub.query(hub.token("migrationsverket"), query))["children"]["totalCount"] == 7


async def test_a_page_larger_than_the_cap_is_invalid_input(hub: RunningHub) -> None:
    response = await hub.graphql(
        hub.token("polisen-stockholm", "officer"), "{ cases(first: 501) { totalCount } }"
    )
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "first"}


async def test_a_forged_cursor_is_invalid_input(hub: RunningHub) -> None:
    response = await hub.graphql(
        hub.token("polisen-stockholm", "officer"), CASES, {"after": "!!nope"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_query_error_names_the_problem_with_a_code(hub: RunningHub) -> None:
    response = await hub.graphql(hub.token("polisen-stockholm", "officer"), "{ cases { nope } }")
    error = response.json()["errors"][0]
    assert "nope" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
