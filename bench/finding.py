"""Scenario 7: finding a child among 100,000: the ranked name search and the outreach
lookup, through a hub, with the plans of the statements the repository runs.

The children are generated in SQL: three in ten carry one of the given names most common
among unaccompanied children in Stockholm county (spelled as registered), two in ten one
of the common family names, the rest names made of syllables; born 2008-2013, spread over
the five demo municipalities. Each request searches or looks up a spelling variant of a name that
exists. The lookup is rate-limited per person, so every lookup comes from its own person.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.harness import hub_server, scratch_database
from hub.auth.principal import Principal, Purpose, Role
from hub.children import search_repository
from hub.children.search import NAME_SIMILARITY, parse
from hub.organisations.models import Organisation, OrganisationKind
from hub.policy.categories import DataCategory
from hub.policy.engine import Policy

CHILDREN = 100_000
ROUNDS = 60
GIVEN = [
    "Mohammed",
    "Ahmad",
    "Ali",
    "Abdullahi",
    "Hussein",
    "Omar",
    "Mustafa",
    "Yusuf",
    "Ibrahim",
    "Karim",
    "Hassan",
    "Abdirahman",
    "Jamal",
    "Reza",
    "Amir",
    "Nasir",
]
FAMILY = [
    "Ahmadi",
    "Hosseini",
    "Mohammadi",
    "Rahimi",
    "Jama",
    "Warsame",
    "Abdi",
    "Haidari",
    "Karimi",
    "Nazari",
    "Sultani",
    "Farah",
    "Hassan",
    "Osman",
    "Yusufzai",
    "Jafari",
]
# spelling variants searched for (each names a child that exists under the other spelling)
VARIANTS = [
    ("Muhammad", "Ahmady"),
    ("Ahmed", "Husseini"),
    ("Aly", "Mohamadi"),
    ("Abdillahi", "Jamaa"),
    ("Husain", "Karimy"),
    ("Umar", "Farah"),
    ("Mostafa", "Nazary"),
    ("Youssef", "Osman"),
]
# three in ten given names and two in ten family names are the common ones above; the
# rest are made of syllables (13,824 distinct of each), so a name is as rare as in life
_SYLLABLES = [
    "ba",
    "ka",
    "ri",
    "do",
    "me",
    "su",
    "la",
    "no",
    "ti",
    "za",
    "ho",
    "ge",
    "fa",
    "lu",
    "mi",
    "sa",
    "ke",
    "ro",
    "ja",
    "wu",
    "de",
    "pa",
    "ye",
    "xi",
]
_FILL = """
INSERT INTO children (given_name, family_name, birth_date, sex, nationality,
                      responsible_municipality_id, created_at)
SELECT CASE WHEN n % 10 < 3 THEN g.names[1 + (n * 7) % cardinality(g.names)]
            ELSE initcap(s.s[1 + (n * 5) % 24] || s.s[1 + (n * 11) % 23] || s.s[1 + (n * 3) % 19])
       END,
       CASE WHEN n % 10 < 2 THEN f.names[1 + (n * 13) % cardinality(f.names)]
            ELSE initcap(s.s[1 + (n * 17) % 22] || s.s[1 + (n * 19) % 21] || s.s[1 + n % 24])
       END,
       date '2008-01-01' + (n * 37) % 2190, 'MALE', 'AF',
       m.ids[1 + n % cardinality(m.ids)], now() - n * interval '1 minute'
  FROM generate_series(1, $1::int) n,
       (SELECT $2::text[] AS names) g, (SELECT $3::text[] AS names) f,
       (SELECT $4::text[] AS s) s,
       (SELECT array_agg(id ORDER BY id) AS ids FROM organisations
         WHERE kind = 'MUNICIPALITY') m
"""
SEARCH = """query($q: String!) { children(first: 20, filter: {search: $q}) {
    totalCount edges { node { id givenName familyName } } } }"""
LOOKUP = """mutation($input: LookupChildInput!) { lookupChild(input: $input) {
    ref matchedOn reportedMissing responsibleMunicipality { id } } }"""


async def _fill(url: str) -> float:
    conn = await asyncpg.connect(url)
    try:
        start = time.perf_counter()
        await conn.execute(_FILL, CHILDREN, GIVEN, FAMILY, _SYLLABLES)
        await conn.execute("ANALYZE children")
        return time.perf_counter() - start
    finally:
        await conn.close()


async def _plans(url: str) -> tuple[str, str]:
    """The plans of the search (as Stockholm's caseworker) and of the lookup."""
    principal = Principal(
        sub="bench",
        organisation=Organisation("stockholm", OrganisationKind.MUNICIPALITY, "Stockholm"),
        roles=frozenset({Role.CASEWORKER}),
        purpose=Purpose.PROTECTION,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    scope = Policy().scope(principal).for_category(DataCategory.IDENTITY)
    words = list(parse("Muhammad Ahmady").words)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            f"SET pg_trgm.word_similarity_threshold = {NAME_SIMILARITY}; SET enable_seqscan = off"
        )
        search = await conn.fetch(
            f"EXPLAIN (ANALYZE, COSTS OFF) {search_repository.SEARCH[2]}",
            *scope.sql_args(),
            words,
            NAME_SIMILARITY,
            None,
            None,
            None,
            21,
        )
        lookup = await conn.fetch(
            f"EXPLAIN (ANALYZE, COSTS OFF) {search_repository.LOOKUP}",
            None,
            None,
            2010,
            words[:1],
            words[1:],
            NAME_SIMILARITY,
            5,
        )
    finally:
        await conn.close()
    return "\n".join(r[0] for r in search), "\n".join(r[0] for r in lookup)


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] * 1000


async def _timed(
    http: httpx.AsyncClient, url: str, token: str, query: str, variables: dict[str, Any]
) -> tuple[float, Any]:
    start = time.perf_counter()
    response = await http.post(
        url,
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - start
    body = response.json()
    assert "errors" not in body, body
    return elapsed, body["data"]


async def run() -> str:
    async with scratch_database() as url:
        filled = await _fill(url)
        search_plan, lookup_plan = await _plans(url)
        data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-data-"))
        async with (
            hub_server(url, data_dir) as (hub_url, rt),
            httpx.AsyncClient(timeout=60) as http,
        ):
            assert rt.dev_issuer is not None
            endpoint = f"{hub_url}/graphql"
            caseworker = rt.dev_issuer.issue(sub="bench", org="stockholm", roles=["caseworker"])
            searches, found = [], []
            for n in range(ROUNDS + 5):
                given, family = VARIANTS[n % len(VARIANTS)]
                took, data = await _timed(
                    http, endpoint, caseworker, SEARCH, {"q": f"{given} {family}"}
                )
                searches.append(took)
                found.append(data["children"]["totalCount"])
            lookups, matched = [], []
            for n in range(ROUNDS + 5):
                given, family = VARIANTS[n % len(VARIANTS)]
                token = rt.dev_issuer.issue(
                    sub=f"outreach-{n}", org="stadsmissionen", roles=["staff"]
                )
                variables = {
                    "input": {
                        "reason": "mötte ett barn vid Sergels torg",
                        "givenName": given,
                        "familyName": family,
                        "birthYear": 2010,
                    }
                }
                took, data = await _timed(http, endpoint, token, LOOKUP, variables)
                lookups.append(took)
                matched.append(len(data["lookupChild"]))
    searches, lookups = searches[5:], lookups[5:]
    return "\n".join(
        [
            f"## Scenario 7: finding a child among {CHILDREN:,}",
            "",
            f"Filled in {filled:.1f} s (the search form and phonetic keys by trigger). "
            f"{ROUNDS} requests each, spelling variants of names that exist, through one hub:",
            "",
            "| request | p50 | p95 | answers |",
            "|---|---|---|---|",
            f"| `children(first: 20, filter: {{search}})` as Stockholm | "
            f"{statistics.median(searches) * 1000:.1f} ms | {_p95(searches):.1f} ms | "
            f"{min(found[5:])}-{max(found[5:])} matches in scope |",
            f"| `lookupChild(givenName, familyName, birthYear)` as an NGO | "
            f"{statistics.median(lookups) * 1000:.1f} ms | {_p95(lookups):.1f} ms | "
            f"{min(matched[5:])}-{max(matched[5:])} matches (at most 5) |",
            "",
            "The search's plan:",
            "",
            "```",
            search_plan,
            "```",
            "",
            "The lookup's plan:",
            "",
            "```",
            lookup_plan,
            "```",
        ]
    )
