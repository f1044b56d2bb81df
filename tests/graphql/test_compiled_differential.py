"""The compiled read path answers exactly as strawberry's stock executor.

Generated reads inside the compiled subset (`case(id)`, `child(id)`, and `cases` and
`children` with a page size, a cursor and a filter, any of them refused or out of scope,
with any mix of the fields it covers, aliases, repeated fields, inline and named
fragments, @skip and @include on variables), sent as principals of every kind, relation,
role and purpose to two hubs on one database: one compiled, one on the stock executor.
The data holds a consent, an emergency access, a case in every state, NULLs, Unicode and
timestamps with and without microseconds. Same status, same `data` (key order included),
same errors, same audit facts; every generated operation is one the compiled path
answers; and neither hub logs a warning or an error while it answers them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st

from hub.demo.seed import _id
from hub.graphql.compiled.executor import explain
from hub.graphql.pagination import encode_cursor
from hub.graphql.schema import build_schema
from tests.graphql.compiled_subset import (
    ALERT,
    CASE,
    CASES,
    CHILD,
    CHILDREN,
    DESCRIPTION,
    IDS,
    MUNICIPALITIES,
    PRINCIPALS,
    RESIDENCES,
    SIGHTING,
    STATUSES,
    TASK,
    WITHHELD,
    discloses,
    shadow_hubs,
)
from tests.graphql.generated import fixed

EXAMPLES = int(os.environ.get("HUB_COMPILED_EXAMPLES", "250"))


def _pick(data: st.DataObject, fields: list[str]) -> list[str]:
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=6, unique=True))
    out = []
    for n, name in enumerate(chosen):
        how = data.draw(st.integers(0, 7))
        if how == 0:
            out.append(f"a{n}: {name}")
        elif how == 1:
            out.append(f"{name} @include(if: $yes)")
        elif how == 2:
            out.append(f"{name} @skip(if: $yes)")
        elif how == 3:
            out.append(f"{name} {name}")  # the same field twice: the answers merge
        else:
            out.append(name)
    return out


def _object(data: st.DataObject, type_name: str, fields: list[str]) -> str:
    selected = _pick(data, fields)
    if type_name in ("Case", "Child") and data.draw(st.booleans()):
        selected.append(f"withheld {{ {' '.join(_pick(data, WITHHELD))} }}")
    if type_name == "Case":
        if data.draw(st.booleans()):
            selected.append(f"child {{ {_object(data, 'Child', CHILD)} }}")
        if data.draw(st.booleans()):
            selected.append(f"sightings {{ {' '.join(_pick(data, SIGHTING))} }}")
        if data.draw(st.integers(0, 2)) == 0:
            selected.append(f"alert {{ {' '.join(_pick(data, ALERT))} }}")
        if data.draw(st.integers(0, 2)) == 0:
            selected.append(f"tasks {{ {' '.join(_pick(data, TASK))} }}")
    if type_name == "Child" and data.draw(st.booleans()):
        selected.append(f"description {{ {' '.join(_pick(data, DESCRIPTION))} }}")
    if data.draw(st.booleans()):  # some of it in an inline fragment, maybe skipped
        cut = data.draw(st.integers(0, len(selected) - 1))
        directive = data.draw(st.sampled_from(["", "@include(if: $yes)", "@skip(if: $no)"]))
        inner = " ".join(selected[cut:])
        selected = [*selected[:cut], f"... on {type_name} {directive} {{ {inner} }}"]
    return " ".join(selected)


def _paging(data: st.DataObject) -> str:
    """Maybe a cursor (a case's, seen or not, or none of the hub's) and a filter."""
    found = ""
    if data.draw(st.integers(0, 3)) == 0:
        cursor = data.draw(st.sampled_from([*(encode_cursor(uuid.UUID(c)) for c in CASES), "x"]))
        found += f', after: "{cursor}"'
    if data.draw(st.integers(0, 2)) == 0:
        parts = []
        statuses = data.draw(st.lists(st.sampled_from(STATUSES), max_size=3, unique=True))
        empty_too = data.draw(st.booleans())  # `status: []` filters nothing
        if statuses or empty_too:
            parts.append(f"status: [{', '.join(statuses)}]")
        if data.draw(st.booleans()):
            parts.append(f'municipality: "{data.draw(st.sampled_from(MUNICIPALITIES))}"')
        if data.draw(st.integers(0, 3)) == 0:
            parts.append(f'childId: "{data.draw(CHILDREN)}"')
        found += f", filter: {{ {', '.join(parts)} }}"
    return found


def _child_paging(data: st.DataObject) -> str:
    """Maybe a cursor (a child's, seen or not, or none of the hub's) and a filter."""
    found = ""
    if data.draw(st.integers(0, 3)) == 0:
        ids = [*(encode_cursor(_id("child", n)) for n in (1, 5, 17, 71, 9999)), "x"]
        found += f', after: "{data.draw(st.sampled_from(ids))}"'
    if data.draw(st.integers(0, 2)) == 0:
        parts = []
        if data.draw(st.booleans()):
            parts.append(
                f'responsibleMunicipalityId: "{data.draw(st.sampled_from(MUNICIPALITIES))}"'
            )
        if data.draw(st.booleans()):
            parts.append(f'residenceId: "{data.draw(st.sampled_from(RESIDENCES))}"')
        if data.draw(st.booleans()):
            parts.append(f"hasOpenCase: {data.draw(st.sampled_from(['true', 'false', 'null']))}")
        found += f", filter: {{ {', '.join(parts)} }}"
    return found


def _document(data: st.DataObject) -> str:
    roots = []
    for n in range(data.draw(st.integers(1, 2))):
        kind = data.draw(st.sampled_from(["case", "cases", "child", "children"]))
        if kind == "case":
            case_id = data.draw(IDS)
            roots.append(f'r{n}: case(id: "{case_id}") {{ {_object(data, "Case", CASE)} }}')
        elif kind == "child":
            child_id = data.draw(CHILDREN)
            roots.append(f'r{n}: child(id: "{child_id}") {{ {_object(data, "Child", CHILD)} }}')
        else:
            first = data.draw(st.integers(0, 6))
            on = "Case" if kind == "cases" else "Child"
            paging = _paging(data) if kind == "cases" else _child_paging(data)
            arguments = f"first: {first}{paging}"
            node = _object(data, on, CASE if kind == "cases" else CHILD)
            parts = [
                "totalCount",
                f"edges {{ cursor node {{ ...N{n} }} }}",
                "pageInfo { hasNextPage endCursor __typename }",
                "__typename",
            ]
            kept = data.draw(st.lists(st.sampled_from(parts), min_size=1, unique=True))
            roots.append(f"r{n}: {kind}({arguments}) {{ {' '.join(kept)} }}")
            if parts[1] in kept:
                roots.append(f"fragment N{n} on {on} {{ {node} }}")
    if data.draw(st.integers(0, 3)) == 0:
        roots.append("t: __typename")
    operations = [r for r in roots if not r.startswith("fragment")]
    fragments = [r for r in roots if r.startswith("fragment")]
    body = f"{{ {' '.join(operations)} }} {' '.join(fragments)}"
    used = [
        f"${n}: Boolean = {v}" for n, v in (("yes", "true"), ("no", "false")) if f"${n}" in body
    ]
    head = f"query Q({', '.join(used)})" if used else "query Q"
    return f"{head} {body}"


async def test_compiled_reads_answer_as_the_stock_executor_does(
    db_url: str, data_dir: Path, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    schema = build_schema()._schema
    async with shadow_hubs(db_url, data_dir, db) as shadow:
        disclosed = [0]

        @fixed(EXAMPLES)
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            document = _document(data)
            assert explain(schema, parse(document)) is None, document
            answer = shadow.compare(data.draw(st.sampled_from(PRINCIPALS)), document)
            disclosed[0] += discloses(answer)

        await shadow.run(check, caplog)
        assert shadow.express_answered() > EXAMPLES // 2  # the lane, not strawberry
    assert shadow.compared >= EXAMPLES
    assert disclosed[0] > EXAMPLES // 2, disclosed  # most disclose something, and audit it
