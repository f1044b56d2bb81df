"""Every disclosure, change, delivery and refusal leaves exactly the record it should."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from asyncpg.pgproto.pgproto import UUID as PgUUID

from hub.audit.recorder import AuditPolicy, Recorder
from hub.audit.service import verify
from hub.policy.categories import DataCategory
from hub.policy.view import RowView
from tests.audit.helpers import (
    CHILD,
    CLOSED_CASE,
    MISSING_CASE,
    MISSING_CHILD,
    STATUS_ONLY,
    rows,
)
from tests.conftest import RunningHub, run_hub
from tests.events.wsclient import subscribe


async def test_a_read_records_what_was_disclosed_and_withheld_and_on_which_basis(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-7")
    child = (await hub.query(police, CHILD, id=str(MISSING_CHILD)))["child"]
    assert child["description"]["clothing"]

    [row] = await rows(db, "sub = 'officer-7'")
    assert row["kind"] == "READ"
    assert row["action"] == "child"
    assert row["operation"] == "Child"
    assert row["child_id"] == MISSING_CHILD
    assert row["organisation_id"] == "polisen-stockholm"
    assert row["roles"] == ["officer"]
    assert row["purpose"] == "protection"
    assert set(row["disclosed"]) == {"IDENTITY", "DESCRIPTION", "PLACEMENT"}
    assert set(row["withheld"]) == {"HEALTH"}
    assert row["bases"] == dict.fromkeys(["DESCRIPTION", "IDENTITY", "PLACEMENT"], "OSL 10:2")


async def test_only_the_categories_a_query_selects_are_recorded(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    board = hub.token("stockholm", sub="board-1")
    cases = (await hub.query(board, STATUS_ONLY))["cases"]["edges"]
    recorded = await rows(db, "sub = 'board-1'")
    assert len(recorded) == len({c["node"]["id"] for c in cases}) > 0
    assert {tuple(r["disclosed"]) for r in recorded} == {("CASE_STATUS",)}
    assert len({r["request_id"] for r in recorded}) == 1  # one request, one batch
    entries = sorted({r["seq"] for r in recorded})  # one chained entry per view
    assert entries == list(range(entries[0], entries[0] + len(entries)))
    assert len(entries) < len(recorded)


async def test_concurrent_reads_share_commits_and_each_keeps_its_own_chained_record(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    subs = [f"officer-c{i}" for i in range(30)]
    appender = hub.runtime.appender
    assert appender is not None
    before = appender.batches
    await asyncio.gather(
        *(
            hub.query(
                hub.token("polisen-stockholm", "officer", sub=s), CHILD, id=str(MISSING_CHILD)
            )
            for s in subs
        )
    )
    recorded = await rows(db, "sub LIKE 'officer-c%'")
    assert sorted(r["sub"] for r in recorded) == sorted(subs)  # one record per read
    assert appender.batches - before < len(subs)  # fewer commits than reads
    assert (await verify(db)).ok


async def test_replicas_reading_in_turn_each_find_where_the_other_left_the_chain(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    quiet: dict[str, Any] = {"scheduler_interval": 3600}
    async with (
        run_hub(db_url, data_dir, **quiet) as one,
        run_hub(db_url, data_dir, **quiet) as two,
    ):
        await one.swept()  # the scheduler's leader: nothing else writes to the trail now
        one_after_another = [(one, "officer-r0"), (one, "officer-r1"), (one, "officer-r2")]
        in_turn = [(two if n % 2 else one, f"officer-r{n}") for n in range(3, 11)]
        relocked = []
        for hub, sub in one_after_another + in_turn:
            token = hub.token("polisen-stockholm", "officer", sub=sub)
            await hub.query(token, CHILD, id=str(MISSING_CHILD))
            appender = hub.runtime.appender
            assert appender is not None
            relocked.append(appender.relocked)
    recorded = await rows(db, "sub LIKE 'officer-r%'")
    assert [r["sub"] for r in sorted(recorded, key=lambda r: r["seq"])] == [
        sub for _, sub in one_after_another + in_turn
    ]
    assert relocked[0] == relocked[1] == relocked[2]  # one statement where it left the end
    assert relocked[-1] >= relocked[2] + 4  # each of its reads in turn found the end moved
    assert relocked[-2] >= 3  # and the other's, after its first
    assert (await verify(db)).ok


async def test_a_caller_supplied_request_id_is_kept(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-8")
    response = await hub.graphql(
        police, CHILD, {"id": str(MISSING_CHILD)}, headers={"x-request-id": "req-42"}
    )
    assert response.status_code == 200
    [row] = await rows(db, "sub = 'officer-8'")
    assert row["request_id"] != "req-42"  # the hub's own id; the caller's is kept beside it
    assert row["details"]["clientRequestId"] == "req-42"


async def test_asking_for_a_case_one_may_not_see_is_recorded_as_denied_and_answers_null(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    ngo = hub.token("radda-barnen", "staff", sub="ngo-1")
    query = "query($id: ID!) { case(id: $id) { id status } }"
    assert (await hub.query(ngo, query, id=str(CLOSED_CASE)))["case"] is None
    [row] = await rows(db, "sub = 'ngo-1'")
    assert row["kind"] == "DENIED"
    assert row["case_ids"] == [CLOSED_CASE]
    assert row["details"] == {"code": "NOT_VISIBLE"}


async def test_a_forbidden_mutation_leaves_a_denied_row_and_no_change(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    ngo = hub.token("stadsmissionen", "staff", sub="ngo-2")
    response = await hub.graphql(
        ngo,
        """mutation($id: ID!) { closeCase(input: {caseId: $id, outcome: RETURNED}) {
            case { id } } }""",
        {"id": str(MISSING_CASE)},
    )
    assert response.json()["errors"][0]["extensions"]["code"] in {"FORBIDDEN", "NOT_FOUND"}
    [row] = await rows(db, "sub = 'ngo-2'")
    assert row["kind"] == "DENIED"
    assert row["action"] == "closeCase"
    assert row["case_ids"] == [MISSING_CASE]
    assert await db.fetchval("SELECT status FROM cases WHERE id = $1", MISSING_CASE) != "CLOSED"


async def test_a_mutation_records_its_change_and_what_its_payload_disclosed(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-9")
    await hub.query(
        police,
        """mutation($id: ID!) { addSighting(input: {caseId: $id, seenAt: "2026-11-20T10:00:00Z",
            place: "Slussen"}) { case { id status } } }""",
        id=str(MISSING_CASE),
    )
    recorded = await rows(db, "sub = 'officer-9'")
    kinds = {(r["kind"], r["action"]) for r in recorded}
    assert ("MUTATION", "SIGHTING_ADDED") in kinds
    assert ("READ", "addSighting") in kinds
    mutation = next(r for r in recorded if r["kind"] == "MUTATION")
    assert mutation["child_id"] == MISSING_CHILD
    assert mutation["case_ids"] == [MISSING_CASE]
    assert "Slussen" not in str(mutation["details"])  # ids and states, never content


async def test_a_subscription_delivery_is_recorded_before_it_is_sent(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-10")
    stockholm = hub.token("stockholm")
    async with subscribe(hub, police) as events:
        await hub.query(
            stockholm,
            """mutation($id: ID!) { addSighting(input: {caseId: $id,
                seenAt: "2026-11-20T11:00:00Z", place: "T-Centralen"}) { case { id } } }""",
            id=str(MISSING_CASE),
        )
        delivered = await events.next()
    [row] = await rows(
        db,
        "sub = 'officer-10' AND kind = 'DELIVERY' AND (details->>'eventId')::bigint = $1",
        int(delivered["cursor"]),
    )
    assert row["case_ids"] == [MISSING_CASE]
    assert row["details"]["event"] == "SIGHTING_ADDED"
    assert {"CASE_STATUS", "IDENTITY", "DESCRIPTION"} <= set(row["disclosed"])
    assert "HEALTH" in row["withheld"]


async def test_every_read_under_enforcement_and_emergency_access_are_flagged(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    enforcement = hub.token("polisen-stockholm", "officer", sub="officer-11", purpose="enforcement")
    await hub.query(enforcement, CHILD, id=str(MISSING_CHILD))
    await hub.query(enforcement, "{ cases(first: 3) { edges { node { status } } } }")
    enforced = await rows(db, "sub = 'officer-11'")
    assert len(enforced) >= 2  # the child, and cases with no placement in them
    assert all("ENFORCEMENT" in r["flags"] for r in enforced)

    police = hub.token("polisen-stockholm", "officer", sub="officer-12")
    await hub.query(
        police,
        """mutation($id: ID!) { requestEmergencyAccess(input: {caseId: $id, category: HEALTH,
            reasonKind: LIFE_OR_HEALTH, reason: "Barnet behöver sin medicin, akut fara",
            reference: "5000-K1-26"}) { case { id } } }""",
        id=str(MISSING_CASE),
    )
    await hub.query(
        police,
        "query($id: ID!) { case(id: $id) { child { health } } }",
        id=str(MISSING_CASE),
    )
    recorded = await rows(db, "sub = 'officer-12'")
    [opened] = [r for r in recorded if r["kind"] == "EMERGENCY"]
    assert "EMERGENCY" in opened["flags"]
    [read] = [r for r in recorded if r["kind"] == "READ" and "HEALTH" in r["disclosed"]]
    assert "EMERGENCY" in read["flags"]
    assert "nödåtkomst" in read["bases"]["HEALTH"]


async def test_reading_many_children_at_once_is_flagged_as_bulk(
    db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    async with run_hub(db_url, data_dir, audit_bulk_children=3) as hub:
        await hub.query(hub.token("stockholm", sub="board-2"), STATUS_ONLY)
    recorded = await rows(db, "sub = 'board-2'")
    assert len(recorded) > 3
    assert all("BULK" in r["flags"] for r in recorded)


def test_office_hours_are_stockholm_weekdays() -> None:
    hours = AuditPolicy(office_hours=(7, 18))
    assert not hours.off_hours(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))  # Mon 10:00 local
    assert hours.off_hours(datetime(2026, 11, 23, 17, 30, tzinfo=UTC))  # Mon 18:30 local
    assert hours.off_hours(datetime(2026, 11, 22, 10, 0, tzinfo=UTC))  # Sunday
    assert hours.off_hours(datetime(2026, 7, 1, 4, 30, tzinfo=UTC))  # 06:30 summer time


def test_a_childs_cases_are_recorded_once_each_in_the_order_of_their_numbers() -> None:
    ids = [uuid.uuid4() for _ in range(200)]
    # as asyncpg hands them over, and as the stock path has them, told more than once
    fresh = [PgUUID(str(u)) for u in ids]
    view = RowView(allowed=frozenset({DataCategory.CASE_STATUS}))
    audit = Recorder(None, request_id="r", policy=AuditPolicy())
    child = uuid.uuid4()
    audit.disclosed_cases(
        "Case", view.allowed, view, child_id=child, case_ids=[c.bytes for c in fresh[:150]]
    )
    for case in reversed(ids[100:]):
        audit.disclosed("Case", view.allowed, view, child_id=child, case_id=case)

    [entry] = audit.entries(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    assert entry.child_id == child
    assert entry.case_ids == tuple(sorted(ids, key=lambda u: u.int))


async def test_no_record_means_no_data(hub: RunningHub, db: asyncpg.Connection) -> None:
    await db.execute("REVOKE INSERT ON audit_log FROM hub_app")  # the trail cannot be written
    police = hub.token("polisen-stockholm", "officer")
    body = (await hub.graphql(police, CHILD, {"id": str(MISSING_CHILD)})).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "audit_log" not in body["errors"][0]["message"]


async def test_a_subscription_event_whose_record_fails_is_not_sent(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    """Two officers of one cohort: one works the event out (strawberry sends it), the other
    takes that answer (the hub writes the message itself); neither is sent the data."""
    first = hub.token("polisen-stockholm", "officer", sub="officer-unrecorded-1")
    second = hub.token("polisen-stockholm", "officer", sub="officer-unrecorded-2")
    async with subscribe(hub, first) as one, subscribe(hub, second) as other:
        await db.execute("REVOKE INSERT ON audit_log FROM hub_app")
        shared = hub.runtime.cohorts.shared
        async with db.transaction():  # the change itself still happens and is kept
            await db.execute(
                "INSERT INTO case_events (case_id, child_id, type) "
                "VALUES ($1, $2, 'SIGHTING_ADDED')",
                MISSING_CASE,
                MISSING_CHILD,
            )
        for events in (one, other):
            while True:  # the scheduler's task events may come first
                message = await events.message()
                assert message["type"] == "next"
                data = message["payload"]["data"]
                if data is None or data["caseEvents"]["type"] == "SIGHTING_ADDED":
                    break
            assert data is None
            assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert hub.runtime.cohorts.shared > shared  # one of them took the other's answer


async def test_a_rolled_back_mutation_leaves_no_change_in_the_trail(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    police = hub.token("polisen-stockholm", "officer", sub="officer-rollback")
    sightings = await db.fetchval("SELECT count(*) FROM sightings")
    response = await hub.graphql(
        police,
        """mutation($id: ID!, $at: DateTime!) {
            a: addSighting(input: {caseId: $id, seenAt: $at, place: "Slussen"}) { case { id } }
            b: closeCase(input: {caseId: $id, outcome: RETURNED}) { case { id } } }""",
        {"id": str(MISSING_CASE), "at": "2026-01-01T10:00:00Z"},
    )
    assert response.json()["errors"]
    assert await db.fetchval("SELECT count(*) FROM sightings") == sightings  # rolled back
    kinds = [r["kind"] for r in await rows(db, "sub = 'officer-rollback'")]
    assert "MUTATION" not in kinds
    assert "DENIED" in kinds  # the refusal stays


async def test_thirty_asks_for_one_hidden_child_are_one_denied_row(
    hub: RunningHub, db: asyncpg.Connection
) -> None:
    ngo = hub.token("stadsmissionen", "staff", sub="prober")
    aliases = " ".join(f'c{i}: child(id: "{MISSING_CHILD}") {{ id }}' for i in range(30))
    await hub.query(ngo, f"{{ {aliases} }}")
    denied = await rows(db, "sub = 'prober' AND kind = 'DENIED'")
    assert len(denied) == 1
    assert denied[0]["details"]["count"] == 30
