"""The compiled read path answers exactly as strawberry's stock executor.

Generated reads inside the compiled subset (`case(id)`, `child(id)`, and `cases` and
`children` with a page size, a cursor and a filter, any of them refused or out of scope,
with any mix of
the fields it covers, aliases, repeated fields, inline and named fragments, @skip and
@include on variables), sent as principals of every kind, relation, role and purpose to
two hubs on one database: one compiled, one on the stock executor. The data holds a
consent, an emergency access, a case in every state, NULLs, Unicode and timestamps with
and without microseconds. Same status, same `data` (key order included), same errors,
same audit facts; and every generated operation is one the compiled path answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from graphql import parse
from hypothesis import given
from hypothesis import strategies as st

from hub.demo.seed import _id
from hub.graphql.compiled.executor import explain
from hub.graphql.pagination import encode_cursor
from hub.graphql.schema import build_schema
from tests.conftest import run_hub
from tests.graphql.generated import fixed

EXAMPLES = int(os.environ.get("HUB_COMPILED_EXAMPLES", "250"))
T = TypeVar("T")

CASE = [
    "id",
    "version",
    "status",
    "openedAt",
    "policeReportNumber",
    "reportedMissingAt",
    "registeredAvvikenAt",
    "foundAt",
    "closedAt",
    "outcome",
    "lastSeenAt",
    "lastSeenPlace",
    "foundPlace",
    "circumstances",
    "returnInterview",
    "registeredReturnedAt",
    "__typename",
]
CHILD = [
    "id",
    "givenName",
    "familyName",
    "birthDate",
    "sex",
    "nationality",
    "languages",
    "dossierNumber",
    "placementAddress",
    "asylumStatus",
    "health",
    "riskLevel",
    "riskIndicators",
    "riskAssessment",
    "__typename",
]
DESCRIPTION = ["heightCm", "build", "hair", "eyes", "marks", "clothing", "photoUrl", "__typename"]
SIGHTING = ["id", "seenAt", "place", "note", "kind", "callbackPhone", "__typename"]
WITHHELD = ["category", "reason", "__typename"]
ALERT = ["reference", "issuedAt", "cancelledAt", "cancelReason", "__typename"]
TASK = [
    "id",
    "title",
    "routine",
    "status",
    "dueAt",
    "overdue",
    "completedAt",
    "closedReason",
    "personal",
    "__typename",
]
# (organisation, role, sub, purpose header)
PRINCIPALS = [
    ("stockholm", "caseworker", "caseworker@stockholm", None),
    ("sigtuna", "caseworker", "caseworker@sigtuna", None),
    ("polisen-stockholm", "officer", "officer@polisen", None),
    ("polisen-stockholm", "officer", "officer@polisen", "enforcement"),
    ("migrationsverket", "caseworker", "handlaggare@migrationsverket", None),
    ("hvb-solbacken", "staff", "staff@solbacken", None),
    ("stadsmissionen", "staff", "staff@stadsmissionen", None),
    ("overformyndare-stockholm", "guardian", "godman-1", None),
    ("lansstyrelsen-stockholm", "coordinator", "samordnare@lansstyrelsen", None),
    ("stockholm", "auditor", "revisor@stockholm", None),
]
CASES = [*(str(_id("case", n)) for n in (1, 5, 11, 17, 20, 42, 71)), str(_id("case", 9999))]
IDS = st.sampled_from([*CASES, "not-an-id"])
STATUSES = ["ABSENT", "REPORTED_MISSING", "FOUND", "FOLLOW_UP", "CLOSED"]
MUNICIPALITIES = ["stockholm", "sigtuna", "nacka", "hvb-solbacken"]
RESIDENCES = ["hvb-solbacken", "hvb-linden", "stockholm"]
CHILDREN = st.sampled_from([*(str(_id("child", n)) for n in (1, 5, 17, 71, 9999)), "not-an-id"])

_FACTS = """SELECT kind, action, child_id::text, case_ids::text[], disclosed, withheld,
                  bases::text, flags
             FROM audit_by_child WHERE details->>'clientRequestId' = $1"""


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


async def _prepare(db: asyncpg.Connection) -> None:
    """A consent, an emergency access, alerts (one cancelled), NULLs, Unicode and
    whole-second timestamps."""
    child = _id("child", 5)
    await db.execute(
        """INSERT INTO consents (child_id, recipient_organisation_id, categories,
               granted_by_sub, granted_by_organisation_id)
           SELECT id, 'stadsmissionen', '{CASE_STATUS,DESCRIPTION,IDENTITY}', 'test',
                  responsible_municipality_id FROM children WHERE id = $1""",
        child,
    )
    await db.execute(
        """INSERT INTO emergency_access (case_id, organisation_id, sub, category, reason,
               expires_at, reason_kind)
           VALUES ($1, 'polisen-stockholm', 'officer@polisen', 'HEALTH',
                   'akut fara för barnets liv', now() + interval '1 hour', 'LIFE_OR_HEALTH')""",
        _id("case", 11),
    )
    await db.execute(
        """UPDATE cases SET circumstances = 'Lämnade boendet — "okänd" bil 🚗, ñ',
                  last_seen_at = date_trunc('second', last_seen_at), last_seen_place = NULL
            WHERE id = $1""",
        _id("case", 5),
    )
    await db.execute(
        """UPDATE cases SET alert_reference = 'EFT-2026-17', alert_issued_at = now(),
                  alert_cancelled_at = CASE WHEN id = $2 THEN now() END,
                  alert_cancel_reason = CASE WHEN id = $2 THEN 'påträffad' END
            WHERE id = ANY($1::uuid[])""",
        [_id("case", 5), _id("case", 17)],
        _id("case", 17),
    )
    await db.execute(
        "UPDATE children SET height_cm = NULL, languages = '{}', given_name = 'Åsa Ødegård' "
        "WHERE id = $1",
        child,
    )


async def test_compiled_reads_answer_as_the_stock_executor_does(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    await _prepare(db)
    loop = asyncio.get_running_loop()
    schema = build_schema()._schema

    def wait(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(60)

    quiet: dict[str, Any] = {"scheduler_interval": 3600, "max_cost": 10_000_000}
    async with (
        run_hub(db_url, data_dir, **quiet) as compiled,
        run_hub(db_url, data_dir, compiled=False, **quiet) as stock,
    ):
        await compiled.swept()  # the scheduler's leader: one sweep, then nothing changes
        compared = [0]
        answered = [0]

        def ask(hub: Any, token: str, purpose: str | None, document: str, rid: str) -> Any:
            headers = {"authorization": f"Bearer {token}", "x-request-id": rid}
            if purpose:
                headers["x-hub-purpose"] = purpose
            with httpx.Client(timeout=30) as client:
                response = client.post(
                    f"{hub.base_url}/graphql", json={"query": document}, headers=headers
                )
            facts = wait(db.fetch(_FACTS, rid))
            body = json.dumps(response.json())
            return response.status_code, body, sorted((tuple(f) for f in facts), key=repr)

        @fixed(EXAMPLES)
        @given(data=st.data())
        def check(data: st.DataObject) -> None:
            document = _document(data)
            assert explain(schema, parse(document)) is None, document
            org, role, sub, purpose = data.draw(st.sampled_from(PRINCIPALS))
            token = compiled.token(org, role, sub=sub, purpose=["protection", "enforcement"])
            n = compared[0] = compared[0] + 1
            one = ask(compiled, token, purpose, document, f"compiled-{n}")
            other = ask(stock, token, purpose, document, f"stock-{n}")
            assert one == other, (org, role, purpose, document)
            if '"errors"' not in one[1] and one[2]:
                answered[0] += 1

        await asyncio.to_thread(check)
        express = compiled.runtime.express
        assert express is not None
        assert express.answered > EXAMPLES // 2, express.answered  # the lane, not strawberry
    assert compared[0] >= EXAMPLES
    assert answered[0] > EXAMPLES // 2, answered  # most disclose something, and audit it
