"""Queries run from a plan answer exactly as strawberry's stock executor: generated
operations over the real schema (hypothesis-graphql, then aliases, repeated fields,
inline fragments and @skip/@include on variables drawn in), sent as principals of every
kind to two hubs on one database, one of each. Same status, same `data` (key order
included), same errors (message, path, locations), same audit facts."""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
    print_ast,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import queries

from hub.demo.seed import _id
from hub.graphql.schema import SDL_PATH
from tests.conftest import RunningHub, run_hub
from tests.graphql.generated import fixed

EXAMPLES = int(os.environ.get("HUB_PLANNED_EXAMPLES", "120"))
ROOTS = ["me", "organisations", "child", "children", "case", "cases", "myTasks", "transfers"]
PRINCIPALS = [
    ("stockholm", "caseworker", "caseworker@stockholm"),
    ("polisen-stockholm", "officer", "officer@polisen"),
    ("stadsmissionen", "staff", "staff@stadsmissionen"),
    ("overformyndare-stockholm", "guardian", "godman-1"),
]
IDS = [
    *(str(_id("case", n)) for n in (5, 11, 17, 42, 71)),
    *(str(_id("child", n)) for n in (5, 17, 71)),
    str(uuid.UUID(int=7)),
    "not-an-id",
]
_ID_ARGS = re.compile(r"(id|Id)$")
T = TypeVar("T")


def _doc(data: st.DataObject) -> str:
    """A generated query, with aliases, repeats, fragments and directives drawn in."""
    document = parse(data.draw(queries(SDL_PATH.read_text(), fields=ROOTS)))
    generated = document.definitions[0]
    assert isinstance(generated, OperationDefinitionNode)
    used: set[str] = set()
    selection_set = _mixed(data, generated.selection_set, 0, used)
    operation = OperationDefinitionNode(
        operation=generated.operation,
        name=generated.name,
        variable_definitions=tuple(
            VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=name)),
                type=NamedTypeNode(name=NameNode(value="Boolean")),
                default_value=BooleanValueNode(value=value),
                directives=(),
            )
            for name, value in (("yes", True), ("no", False))
            if name in used
        ),
        directives=(),
        selection_set=selection_set,
    )
    return print_ast(DocumentNode(definitions=(operation,)))


def _mixed(
    data: st.DataObject, selections: SelectionSetNode, depth: int, used: set[str]
) -> SelectionSetNode:
    found: list[Any] = []
    for node in selections.selections:
        if not isinstance(node, FieldNode):
            found.append(node)
            continue
        arguments = tuple(_argument(data, a) for a in node.arguments or ())
        inner = _mixed(data, node.selection_set, depth + 1, used) if node.selection_set else None
        choice = data.draw(st.integers(0, 9))
        field = FieldNode(
            alias=NameNode(value=f"a{depth}_{len(found)}") if choice == 0 else node.alias,
            name=node.name,
            arguments=arguments,
            directives=(_directive(data, used),) if choice == 1 else (),
            selection_set=inner,
        )
        if choice == 2:  # the same field twice: the answers merge
            found.append(field)
        elif choice == 3:
            wrapper = SelectionSetNode(selections=(field,))
            directive = _directive(data, used)
            found.append(InlineFragmentNode(directives=(directive,), selection_set=wrapper))
            continue
        found.append(field)
    return SelectionSetNode(selections=tuple(found))


def _directive(data: st.DataObject, used: set[str]) -> DirectiveNode:
    name = data.draw(st.sampled_from(["skip", "include"]))
    variable = data.draw(st.sampled_from(["yes", "no"]))
    used.add(variable)
    return DirectiveNode(
        name=NameNode(value=name),
        arguments=(
            ArgumentNode(
                name=NameNode(value="if"), value=VariableNode(name=NameNode(value=variable))
            ),
        ),
    )


def _argument(data: st.DataObject, argument: ArgumentNode) -> ArgumentNode:
    """Ids of the demo network's rows, so the generated reads find something; small pages,
    so most operations stay within the cost limit and reach their resolvers."""
    name = argument.name.value
    if _ID_ARGS.search(name) and isinstance(argument.value, StringValueNode):
        return ArgumentNode(name=argument.name, value=StringValueNode(value=data.draw(IDS_DRAWN)))
    if name == "first":
        return ArgumentNode(name=argument.name, value=IntValueNode(value=str(data.draw(FIRST))))
    return argument


IDS_DRAWN = st.sampled_from(IDS)
FIRST = st.integers(0, 6)


_FACTS = """SELECT kind, action, child_id::text, case_ids::text[], disclosed, withheld,
                  bases::text, flags
             FROM audit_by_child WHERE details->>'clientRequestId' = $1"""


def _scrubbed(body: Any) -> str:
    """The response as sent (key order kept), an internal error's incident id aside."""
    text = json.dumps(body)
    return re.sub(r'"incident": "[^"]*"', '"incident": "-"', text)


async def test_planned_queries_answer_as_the_stock_executor_does(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    loop = asyncio.get_running_loop()

    def wait(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(60)

    # a generated connection without `first` is priced at 50 rows a level: a higher
    # limit lets such operations run (the demo network's rows keep the answers small)
    quiet: dict[str, Any] = {"scheduler_interval": 3600, "max_cost": 10_000_000}
    async with (
        run_hub(db_url, data_dir, planned=True, **quiet) as planned,
        run_hub(db_url, data_dir, fast_executor=False, **quiet) as stock,
    ):
        await planned.swept()  # the scheduler's leader: one sweep, then nothing changes
        outcomes: Counter[str] = Counter()
        compared = [0]

        def ask(
            client: httpx.Client, hub: RunningHub, token: str, document: str, request_id: str
        ) -> tuple[int, str, list[tuple[Any, ...]]]:
            response = client.post(
                f"{hub.base_url}/graphql",
                json={"query": document},
                headers={"authorization": f"Bearer {token}", "x-request-id": request_id},
            )
            facts = wait(db.fetch(_FACTS, request_id))
            return (
                response.status_code,
                _scrubbed(response.json()),
                sorted((tuple(f) for f in facts), key=repr),
            )

        @fixed(EXAMPLES)
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            document = _doc(data)
            org, role, sub = data.draw(st.sampled_from(PRINCIPALS))
            token = planned.token(org, role, sub=sub)
            with httpx.Client(timeout=30) as client:
                n = compared[0] = compared[0] + 1
                one = ask(client, planned, token, document, f"planned-{n}")
                other = ask(client, stock, token, document, f"stock-{n}")
            assert one == other, document
            body = json.loads(one[1])
            errors = body.get("errors") or []
            outcomes[errors[0].get("extensions", {}).get("code", "?") if errors else "data"] += 1

        await asyncio.to_thread(check)
    assert compared[0] >= EXAMPLES
    assert outcomes["data"] > EXAMPLES // 4, outcomes  # most reach their resolvers
