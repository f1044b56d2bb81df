"""The hub's executor answers exactly what graphql-core's own executor answers."""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
import strawberry
from graphql import ExecutionResult
from strawberry.extensions import SchemaExtension

from hub.graphql.execution import HubExecutionContext
from tests.conftest import RunningHub, run_hub


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Leaf:
    name: str
    colour: Colour | None
    seen: datetime | None
    born: date | None
    count: int
    ratio: float | None
    tags: list[str] | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> str:
        return f"later {self.name}"


@strawberry.type
class Branch:
    id: strawberry.ID
    leaves: list[Leaf]
    first: Leaf | None
    strict: str  # holds None in one row below: a non-null violation
    common: list[Leaf]  # the same list object in every branch, as a page's `withheld`


def _leaf(n: int, **overrides: Any) -> Leaf:
    values: dict[str, Any] = {
        "name": f"leaf{n}",
        "colour": Colour.RED if n % 2 else None,
        "seen": datetime(2026, 11, 23, 12, n, tzinfo=UTC),
        "born": date(2010, 1, 1 + n),
        "count": n,
        "ratio": n / 3 if n % 3 else None,
        "tags": [f"t{n}"] if n % 2 else None,
    }
    return Leaf(**{**values, **overrides})


COMMON = [_leaf(7), _leaf(8)]
COMMON_BROKEN = [_leaf(5, colour="not a colour"), _leaf(6)]
BRANCHES = [
    Branch(
        id=strawberry.ID(str(b)),
        leaves=[_leaf(n) for n in range(4)],
        first=_leaf(9),
        strict="x",
        common=COMMON,
    )
    for b in range(3)
]
BROKEN = [
    Branch(
        id=strawberry.ID(f"broken{b}"),
        leaves=[_leaf(1), _leaf(2, name=None), _leaf(3, colour="not a colour")],
        first=_leaf(4, name=None),
        strict=None,  # type: ignore[arg-type]
        common=COMMON_BROKEN,
    )
    for b in range(2)
]


@strawberry.type
class Query:
    @strawberry.field
    def branches(self, broken: bool = False) -> list[Branch]:
        return BROKEN if broken else BRANCHES

    @strawberry.field
    async def branch(self) -> Branch | None:
        return BRANCHES[0]


async def _both(query: str) -> tuple[Any, Any]:
    results = []
    for context_class in (None, HubExecutionContext):
        schema = strawberry.Schema(query=Query, execution_context_class=context_class)
        result = await schema.execute(query)
        results.append(
            (result.data, sorted((e.message, tuple(e.path or ())) for e in result.errors or ()))
        )
    return results[0], results[1]


QUERIES = {
    "plain fields of every scalar kind": """{ branches { id leaves {
        name colour seen born count ratio tags } first { name } strict } }""",
    "aliases, fragments, typename and directives": """query { all: branches {
        key: id __typename leaves { ...L also: name n2: name @skip(if: true)
        ... on Leaf { count @include(if: true) } } } }
        fragment L on Leaf { name colour shout }""",
    "resolvers next to plain fields, sync and async": """{ branch { id leaves { name shout
        later count } first { later } } branches { leaves { later seen } } }""",
    "errors: null in non-null fields and a value that does not coerce": """{
        branches(broken: true) { id strict first { name } leaves { name colour count } } }""",
    "an error inside a list of non-null items nulls the right parent": """{
        branches(broken: true) { id leaves { name } } }""",
    "one object list under many parents": """{ branches { id common { name colour }
        again: common { count } } }""",
    "one object list under many parents, with an error in it": """{
        branches(broken: true) { id common { name colour } } }""",
    "a value that does not coerce": "{ branches(broken: true) { leaves { count colour } } }",
    "an error below a nullable plain object nulls only that object": """{
        branches(broken: true) { id first { name count } leaves { count } } }""",
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
async def test_the_hub_executor_answers_as_graphql_core_does(query: str) -> None:
    stock, hub = await _both(query)
    assert hub == stock
    assert stock[0] is not None or stock[1]  # the query ran: data or errors to compare


async def test_a_fragment_selecting_the_child_still_gets_every_case_its_child(
    hub: RunningHub,
) -> None:
    token = hub.token("stockholm")
    data = await hub.query(
        token,
        """{ cases(first: 50) { edges { node { ...C } } } }
        fragment C on Case { id child { id givenName } }""",
    )
    nodes = [e["node"] for e in data["cases"]["edges"]]
    assert nodes
    assert all(n["child"] and n["child"]["givenName"] for n in nodes)


class _Counting(HubExecutionContext):
    slow: int = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        _Counting.slow += 1
        return super().execute_field(*args, **kwargs)


async def test_plain_fields_skip_graphql_cores_per_field_path() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=_Counting)
    result = await schema.execute("{ branches { id strict leaves { name colour seen count } } }")
    assert result.errors is None
    # only `branches` (a resolver) goes the general way; 3 * (2 + 1 + 4 * 4) fields do not
    assert _Counting.slow == 1


class _CountingLeaves(HubExecutionContext):
    completed: int = 0

    def execute_fields(self, parent_type: Any, *args: Any, **kwargs: Any) -> Any:
        if parent_type.name == "Leaf":
            _CountingLeaves.completed += 1
        return super().execute_fields(parent_type, *args, **kwargs)


async def test_an_object_seen_again_under_the_same_selection_is_completed_once() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=_CountingLeaves)
    result = await schema.execute("{ branches { common { name count } } }")
    assert result.errors is None
    common = [{"name": "leaf7", "count": 7}, {"name": "leaf8", "count": 8}]
    assert result.data == {"branches": [{"common": common}] * 3}
    assert _CountingLeaves.completed == 2  # the two leaves of the one shared list, not 3 * 2


class _SeesEveryField(SchemaExtension):
    seen: ClassVar[list[str]] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        _SeesEveryField.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_an_extension_that_hooks_every_resolver_still_sees_every_field() -> None:
    query = "{ branches { id common { name } leaves { name count } } }"
    seen = []
    for context_class in (None, HubExecutionContext):
        _SeesEveryField.seen = []
        schema = strawberry.Schema(
            query=Query, execution_context_class=context_class, extensions=[_SeesEveryField]
        )
        assert (await schema.execute(query)).errors is None
        seen.append(sorted(_SeesEveryField.seen))
    assert seen[1] == seen[0]
    assert len(seen[0]) == 1 + 3 * (1 + 1 + 2 * 1 + 1 + 4 * 2)


@strawberry.type
class Ticks:
    @strawberry.subscription
    async def ticks(self) -> AsyncGenerator[Leaf, None]:
        leaf = _leaf(1)
        for n in range(3):
            leaf.count = n  # the same object each time, changed in between
            yield leaf


class _Remembering(HubExecutionContext):
    carried: ClassVar[list[int]] = []

    def build_per_event_executor(self, payload: Any) -> HubExecutionContext:
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, HubExecutionContext)
        _Remembering.carried.append(len(executor._completed))
        return executor


async def test_a_subscription_carries_nothing_from_one_event_to_the_next() -> None:
    schema = strawberry.Schema(
        query=Query, subscription=Ticks, execution_context_class=_Remembering
    )
    stream = await schema.subscribe("subscription { ticks { name count } }")
    assert not isinstance(stream, ExecutionResult)
    counts = [event.data["ticks"]["count"] async for event in stream if event.data]
    assert counts == [0, 1, 2]
    assert _Remembering.carried == [0, 0, 0]  # no completed values held from earlier events


async def test_the_stock_executor_serves_the_same_answers_when_the_fast_one_is_off(
    db_url: str, data_dir: Path
) -> None:
    query = """{ cases(first: 20) { totalCount edges { node { id status version
        withheld { category reason } child { givenName withheld { category } }
        tasks { title } events { type } } } } }"""
    answers = []
    for fast in (True, False):
        async with run_hub(db_url, data_dir, fast_executor=fast) as hub:
            await hub.swept()  # else the first hub may answer before tasks fall due
            for org in ("stockholm", "stadsmissionen", "polisen-stockholm"):
                answers.append((fast, org, await hub.query(hub.token(org), query)))
    fast_answers = [a for f, _, a in answers if f]
    stock_answers = [a for f, _, a in answers if not f]
    assert fast_answers == stock_answers
    assert any(a["cases"]["totalCount"] for a in fast_answers)
