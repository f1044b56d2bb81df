"""Operations hypothesis-graphql makes from the schema answer alike on the compiled path
and on strawberry's stock executor.

hypothesis-graphql writes its operations from an SDL: here the real schema cut down to
the compiled subset (the four roots and the fields `hub.graphql.compiled.planner` plans;
no mutations or subscriptions), so that most of what it makes is compiled. It chooses
the arguments itself (page sizes out of range, cursors and ids of any text, filters of
every shape, explicit nulls), which sends many operations to the stock path at run time
or into errors; some of the ids, page sizes and organisations are then swapped for ones
the data holds, so that answers disclose something too. Each operation, valid for the
real schema, goes to both hubs as a principal of every kind: same status, same bytes,
same audit facts; and neither hub logs a warning or an error while it answers them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import asyncpg
import pytest
from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    parse,
    print_ast,
    print_schema,
    validate,
)
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import strategies as graphql_strategies

from hub.demo.seed import _id
from hub.graphql.schema import build_schema
from tests.graphql.compiled_subset import (
    ALERT,
    CASE,
    CASES,
    CHILD,
    DESCRIPTION,
    MUNICIPALITIES,
    PRINCIPALS,
    RESIDENCES,
    SIGHTING,
    TASK,
    WITHHELD,
    discloses,
    shadow_hubs,
)
from tests.graphql.generated import fixed

EXAMPLES = int(os.environ.get("HUB_SCHEMA_GENERATED_EXAMPLES", "150"))
CHILD_IDS = [str(_id("child", n)) for n in (1, 5, 17, 71, 9999)]
# each object type of the subset, and the fields the compiled path plans on it
SUBSET: dict[str, list[str]] = {
    "Query": ["case", "cases", "child", "children"],
    "CaseConnection": ["totalCount", "edges", "pageInfo"],
    "CaseEdge": ["cursor", "node"],
    "ChildConnection": ["totalCount", "edges", "pageInfo"],
    "ChildEdge": ["cursor", "node"],
    "PageInfo": ["hasNextPage", "endCursor"],
    "Case": [*CASE, "withheld", "child", "sightings", "alert", "tasks"],
    "Child": [*CHILD, "description", "withheld"],
    "Description": DESCRIPTION,
    "Sighting": SIGHTING,
    "Withheld": WITHHELD,
    "Alert": ALERT,
    "Task": TASK,
}


def _subset_sdl() -> str:
    """The real schema's SDL with only the subset's object types and fields (a case's
    `sightings` without its arguments, as the compiled path plans it); inputs, enums and
    scalars as they are."""
    document = parse(print_schema(build_schema()._schema))
    kept = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            continue  # its mutation and subscription types are gone; Query is the root
        if not isinstance(definition, ObjectTypeDefinitionNode):
            kept.append(definition)
            continue
        name = definition.name.value
        if name not in SUBSET:
            continue
        fields = []
        for f in definition.fields or ():
            if f.name.value not in SUBSET[name]:
                continue
            if (name, f.name.value) == ("Case", "sightings"):
                f = FieldDefinitionNode(
                    name=f.name, type=f.type, arguments=(), directives=f.directives
                )
            fields.append(f)
        kept.append(
            ObjectTypeDefinitionNode(
                name=definition.name,
                fields=tuple(fields),
                interfaces=definition.interfaces,
                directives=definition.directives,
            )
        )
    return print_ast(DocumentNode(definitions=tuple(kept)))


def _string(value: str) -> str:
    return '"' + value + '"'


def _grounded(data: st.DataObject, document: str) -> str:
    """Some of the made-up ids, page sizes and organisations swapped for the data's."""
    text = r'(?:"(?:[^"\\]|\\.)*"|-?\d+)'

    def swap(pattern: str, pick: list[str]) -> None:
        nonlocal document

        def one(match: re.Match[str]) -> str:
            if data.draw(st.integers(0, 3)) == 0:
                return match.group(0)
            return match.group(1) + _string(data.draw(st.sampled_from(pick)))

        document = re.sub(pattern, one, document)

    swap(rf"(\bcase\(id: ){text}", CASES)
    swap(rf"(\bchild\(id: ){text}", CHILD_IDS)
    swap(rf"(\bchildId: ){text}", CHILD_IDS)
    swap(rf"(\bmunicipality: ){text}", MUNICIPALITIES)
    swap(rf"(\bresponsibleMunicipalityId: ){text}", MUNICIPALITIES)
    swap(rf"(\bresidenceId: ){text}", RESIDENCES)

    def first(match: re.Match[str]) -> str:
        if data.draw(st.integers(0, 3)) == 0:
            return match.group(0)
        return f"first: {data.draw(st.integers(0, 8))}"

    return re.sub(r"\bfirst: -?\d+", first, document)


async def test_operations_made_from_the_schema_answer_as_the_stock_executor_does(
    db_url: str, data_dir: Path, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    schema = build_schema()._schema
    operations = graphql_strategies.queries(_subset_sdl())
    async with shadow_hubs(db_url, data_dir, db) as shadow:
        disclosed = [0]

        @fixed(EXAMPLES)
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            document = _grounded(data, data.draw(operations))
            assert not validate(schema, parse(document)), document  # valid for the real one
            answer = shadow.compare(data.draw(st.sampled_from(PRINCIPALS)), document)
            disclosed[0] += discloses(answer)

        await shadow.run(check, caplog)
        assert shadow.express_answered() > EXAMPLES // 2  # most compiled, whole
    assert shadow.compared >= EXAMPLES
    assert disclosed[0] > EXAMPLES // 5, disclosed  # answers that disclose, and audit it
