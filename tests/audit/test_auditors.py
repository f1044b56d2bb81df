"""Auditors read who accessed what, each within its own reach, never the content."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg

from tests.audit.helpers import CHILD, MISSING_CHILD, STATUS_ONLY, responsible
from tests.conftest import RunningHub

LOG = """query($filter: AuditFilterInput, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { seq kind action organisationId sub childId disclosed withheld
                   legalBases { category basis } flags } } } }"""
REPORT = """query($id: ID!) { accessReport(childId: $id) {
    organisationId sub purpose categories accesses firstAt lastAt flags } }"""


async def _log(hub: RunningHub, token: str, **filter: Any) -> list[dict[str, Any]]:
    data = await hub.query(token, LOG, filter=filter, first=500)
    return [e["node"] for e in data["auditLog"]["edges"]]


async def test_an_auditor_sees_who_read_the_childs_data_on_which_basis(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await hub.query(
        hub.token("polisen-stockholm", "officer", sub="p-1"), CHILD, id=str(MISSING_CHILD)
    )
    municipality = await responsible(db, MISSING_CHILD)
    auditor = hub.token(municipality, "auditor")
    entries = await _log(hub, auditor, childId=str(MISSING_CHILD), kind="READ")
    [police] = [e for e in entries if e["sub"] == "p-1"]
    assert police["organisationId"] == "polisen-stockholm"
    assert "DESCRIPTION" in police["disclosed"]
    assert {"category": "DESCRIPTION", "basis": "OSL 10:2"} in police["legalBases"]

    report = (await hub.query(auditor, REPORT, id=str(MISSING_CHILD)))["accessReport"]
    [summary] = [r for r in report if r["sub"] == "p-1"]
    assert summary["accesses"] == 1
    assert "DESCRIPTION" in summary["categories"]


async def test_an_organisations_auditor_sees_only_its_own_and_its_childrens_accesses(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await hub.query(hub.token("polisen-stockholm", "officer", sub="p-2"), STATUS_ONLY)
    await hub.query(hub.token("stockholm", sub="s-1"), STATUS_ONLY)
    entries = await _log(hub, hub.token("stockholm", "auditor"))
    assert entries
    own_children = {
        str(r["id"])
        for r in await db.fetch(
            "SELECT id FROM children WHERE responsible_municipality_id = 'stockholm'"
        )
    }
    for e in entries:
        assert e["organisationId"] == "stockholm" or e["childId"] in own_children, e
    police_rows = [e for e in entries if e["sub"] == "p-2"]
    assert police_rows
    assert all(e["childId"] in own_children for e in police_rows)

    everything = await _log(hub, hub.token("lansstyrelsen-stockholm", "auditor"))
    assert {e["sub"] for e in everything} >= {"p-2", "s-1"}
    assert len(everything) > len(entries)


async def test_the_log_pages_newest_first_with_cursors(hub: RunningHub) -> None:
    await hub.query(hub.token("stockholm"), STATUS_ONLY)
    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    first = (await hub.query(auditor, LOG, first=3))["auditLog"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    second = (await hub.query(auditor, LOG, first=3, after=after))["auditLog"]
    rows = [(e["node"]["seq"], e["node"]["childId"]) for e in first["edges"] + second["edges"]]
    seqs = [seq for seq, _ in rows]
    assert seqs == sorted(seqs, reverse=True)
    assert len(set(rows)) == 6  # the board's one entry shows a row per child, none twice


async def test_reading_the_log_needs_the_auditor_role_and_is_itself_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    body = (await hub.graphql(hub.token("stockholm"), LOG)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await hub.query(hub.token("stockholm", "auditor", sub="a-1"), LOG, filter={"kind": "READ"})
    [row] = await db.fetch("SELECT * FROM audit_log WHERE sub = 'a-1'")
    assert row["kind"] == "AUDIT"
    assert row["details"] == {"kind": "READ"}


async def test_an_auditor_sees_no_case_content(hub: RunningHub) -> None:
    auditor = hub.token("stockholm", "auditor")
    assert (await hub.query(auditor, STATUS_ONLY))["cases"]["edges"] == []
    assert (await hub.query(auditor, CHILD, id=str(MISSING_CHILD)))["child"] is None


async def test_the_csv_export_streams_the_same_rows_as_the_log(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await hub.query(
        hub.token("polisen-stockholm", "officer", sub="p-3"), CHILD, id=str(MISSING_CHILD)
    )
    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    response = await hub.http.get(
        "/audit/export.csv",
        params={"sub": "p-3"},
        headers={"authorization": f"Bearer {auditor}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["sub"] for r in rows] == ["p-3"]
    assert rows[0]["child_id"] == str(MISSING_CHILD)
    assert "DESCRIPTION: OSL 10:2" in rows[0]["legal_bases"]


async def test_the_csv_export_refuses_bad_filters_and_non_auditors(hub: RunningHub) -> None:
    auditor = {"authorization": f"Bearer {hub.token('stockholm', 'auditor')}"}
    bad = await hub.http.get("/audit/export.csv", params={"from": "yesterday"}, headers=auditor)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["extensions"]["field"] == "from"
    unknown = await hub.http.get("/audit/export.csv", params={"colour": "red"}, headers=auditor)
    assert unknown.status_code == 400
    worker = {"authorization": f"Bearer {hub.token('stockholm')}"}
    refused = await hub.http.get("/audit/export.csv", headers=worker)
    assert refused.status_code == 403
    assert (await hub.http.get("/audit/export.csv")).status_code == 401


async def test_the_csv_export_never_hands_a_spreadsheet_a_formula(hub: RunningHub) -> None:
    formula = '=HYPERLINK("http://evil.example","x")'
    await hub.query(
        hub.token("polisen-stockholm", "officer", sub=formula), CHILD, id=str(MISSING_CHILD)
    )
    auditor = hub.token("lansstyrelsen-stockholm", "auditor")
    response = await hub.http.get(
        "/audit/export.csv", params={"sub": formula}, headers={"authorization": f"Bearer {auditor}"}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows
    assert all(r["sub"] == "'" + formula for r in rows)


async def test_an_auditor_finds_a_childs_entries_by_the_name_however_spelled(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    await hub.query(
        hub.token("polisen-stockholm", "officer", sub="p-9"), CHILD, id=str(MISSING_CHILD)
    )
    child = await db.fetchrow(
        "SELECT given_name, family_name FROM children WHERE id = $1", MISSING_CHILD
    )
    assert child is not None
    municipality = await responsible(db, MISSING_CHILD)
    auditor = hub.token(municipality, "auditor")
    # the family name with its vowels doubled: spelled as a caller might hear it
    heard = child["family_name"].replace("a", "aa").replace("e", "ee")
    entries = await _log(hub, auditor, childName=heard, kind="READ")
    assert any(e["sub"] == "p-9" for e in entries)
    assert {e["childId"] for e in entries} <= {
        str(r["id"])
        for r in await db.fetch(
            "SELECT id FROM children WHERE family_name = $1", child["family_name"]
        )
    }
    refused = await hub.graphql(auditor, LOG, {"filter": {"childName": "%"}, "first": 5})
    assert refused.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
