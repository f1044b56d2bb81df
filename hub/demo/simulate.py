"""`hub demo --simulate`: play realistic episodes on the demo network, so the board moves.

Each episode goes through the public GraphQL API with the dev issuer's tokens, as the
organisations of the county plan would: the responsible municipality reports a child
absent and then to the police; the police grade the risk and, often, put out an alert;
Migrationsverket registers avviken; the police report sightings, find the child and call
the alert back; Migrationsverket re-registers the child; social services hold the return
interview and close the case. Every fourth episode hands a child over instead: a new
placement, another municipality, a new god man. `pace` seconds pass between steps;
a new episode starts while the last one is under way, so the board always has movement.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from hub.auth.dev_issuer import DevIssuer
from hub.demo import network
from hub.organisations.models import OrganisationKind

log = logging.getLogger("hub.demo.simulate")
OPEN = ["ABSENT", "REPORTED_MISSING", "FOUND", "FOLLOW_UP"]
PLACES = (
    "Sergels torg",
    "T-Centralen",
    "Slussen",
    "Fridhemsplan",
    "Hötorget",
    "Medborgarplatsen",
    "Odenplan",
    "Gullmarsplan",
    "Skärholmen centrum",
    "Kista galleria",
    "Märsta station",
)


TOKEN_TTL = 900


class Client:
    def __init__(self, http: httpx.AsyncClient, issuer: DevIssuer) -> None:
        self.http = http
        self.issuer = issuer
        self._tokens: dict[str, tuple[str, float]] = {}

    def token(self, org: str) -> str:
        """The organisation's simulator token, reissued when two thirds of it are used."""
        now = time.monotonic()
        held = self._tokens.get(org)
        if held is None or held[1] < now:
            role = network.EXAMPLE_ROLES.get(org, "caseworker")
            token = self.issuer.issue(sub=f"simulator@{org}", org=org, roles=[role], ttl=TOKEN_TTL)
            held = self._tokens[org] = (token, now + TOKEN_TTL * 2 / 3)
        return held[0]

    async def run(self, org: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {self.token(org)}"},
        )
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"][0]["message"])
        data: dict[str, Any] = body["data"]
        return data


def _ago(minutes: int = 0) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


async def _quiet_child(client: Client, rng: random.Random) -> tuple[str, str] | None:
    """A child with no open case, and its responsible municipality."""
    municipalities = [
        o.id for o in network.ORGANISATIONS if o.kind is OrganisationKind.MUNICIPALITY
    ]
    rng.shuffle(municipalities)
    for org in municipalities:
        data = await client.run(
            org,
            """query($open: [CaseStatus!]) { children(first: 200) { edges { node { id } } }
               cases(first: 500, filter: {status: $open}) { edges { node { child { id } } } } }""",
            open=OPEN,
        )
        busy = {e["node"]["child"]["id"] for e in data["cases"]["edges"] if e["node"]["child"]}
        free = [e["node"]["id"] for e in data["children"]["edges"] if e["node"]["id"] not in busy]
        if free:
            return rng.choice(free), org
    return None


async def episode(client: Client, pace: float, rng: random.Random) -> None:
    """One child's whole episode, absent to closed."""
    found = await _quiet_child(client, rng)
    if found is None:
        return
    child_id, municipality = found
    police, migration = "polisen-stockholm", "migrationsverket"

    async def step(org: str, mutation: str, input_type: str, **fields: Any) -> str:
        await asyncio.sleep(pace)
        data = await client.run(
            org,
            f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ case {{ id }} }} }}",
            input=fields,
        )
        case_id: str = data[mutation]["case"]["id"]
        return case_id

    case_id = await step(
        municipality,
        "reportAbsent",
        "ReportAbsentInput",
        childId=child_id,
        lastSeenAt=_ago(30),
        lastSeenPlace=rng.choice(PLACES),
        circumstances="Kom inte tillbaka till boendet efter skolan.",
    )
    await step(
        municipality,
        "reportMissingToPolice",
        "ReportMissingToPoliceInput",
        caseId=case_id,
        policeReportNumber=f"5000-K{rng.randint(10000, 99999)}-26",
    )
    await step(
        police,
        "recordPoliceAssessment",
        "RecordPoliceAssessmentInput",
        caseId=case_id,
        grade=rng.choice(["LOW", "MEDIUM", "HIGH"]),
        rationale="Ingen kontakt med nätverket; tidigare avvikelser.",
    )
    alert = rng.random() < 0.6
    if alert:
        await step(
            police,
            "recordAlert",
            "RecordAlertInput",
            caseId=case_id,
            reference=f"EFT-{rng.randint(1000, 9999)}",
            issuedAt=_ago(2),
        )
    await step(migration, "registerAvviken", "RegisterAvvikenInput", caseId=case_id)
    for _ in range(rng.randint(1, 3)):
        await step(
            police,
            "addSighting",
            "AddSightingInput",
            caseId=case_id,
            seenAt=_ago(5),
            place=rng.choice(PLACES),
            kind=rng.choice(["SEEN", "SPOKE_WITH", "REPORTED_BY_OTHERS"]),
            callbackPhone="114 14",
        )
    await step(
        police,
        "reportFound",
        "ReportFoundInput",
        caseId=case_id,
        foundAt=_ago(1),
        place=rng.choice(PLACES),
    )
    if alert:
        await step(police, "cancelAlert", "CancelAlertInput", caseId=case_id, cancelledAt=_ago())
    await step(migration, "registerReturn", "RegisterReturnInput", caseId=case_id)
    await step(
        municipality,
        "recordReturnInterview",
        "RecordReturnInterviewInput",
        caseId=case_id,
        summary="Samtal hållet; barnet är tillbaka på boendet.",
    )
    await step(
        municipality,
        "closeCase",
        "CloseCaseInput",
        caseId=case_id,
        outcome="RETURNED",
        reason="Barnet är tillbaka och har en ny skyddsplan.",
    )


async def handover_episode(client: Client, pace: float, rng: random.Random) -> None:
    """A child changes hands: a new placement, responsibility passing to another
    municipality (asked, then accepted), and a new god man appointed there."""
    found = await _quiet_child(client, rng)
    if found is None:
        return
    child_id, municipality = found

    async def step(org: str, mutation: str, input_type: str, **fields: Any) -> dict[str, Any]:
        await asyncio.sleep(pace)
        data = await client.run(
            org,
            f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ __typename }} }}",
            input=fields,
        )
        return data

    residence = rng.choice(network.RESIDENCES)
    await step(
        municipality,
        "moveChild",
        "MoveChildInput",
        childId=child_id,
        residenceId=residence,
        movedAt=_ago(),
    )
    others = [m for m in network.MUNICIPALITIES if m != municipality]
    receiving = rng.choice(others)
    await asyncio.sleep(pace)
    asked = await client.run(
        municipality,
        """mutation($input: RequestTransferInput!) { requestTransfer(input: $input) {
        transfer { id } } }""",
        input={
            "childId": child_id,
            "toMunicipalityId": receiving,
            "reason": "Flyttar närmare skolan.",
        },
    )
    transfer_id = asked["requestTransfer"]["transfer"]["id"]
    await step(receiving, "acceptTransfer", "AcceptTransferInput", transferId=transfer_id)
    now = await client.run(
        receiving, "query($id: ID!) { child(id: $id) { guardian { name } } }", id=child_id
    )
    current = ((now["child"] or {}).get("guardian") or {}).get("name")
    guardian = rng.choice([g for g, n in network.GUARDIAN_NAMES.items() if n != current])
    await step(
        receiving,
        "appointGuardian",
        "AppointGuardianInput",
        childId=child_id,
        guardianSub=guardian,
        guardianName=network.GUARDIAN_NAMES[guardian],
    )


async def play(base_url: str, issuer: DevIssuer, pace: float, stop: Callable[[], bool]) -> None:
    """Episodes, overlapping, until `stop()`; a failed step is logged and the next begins."""
    rng = random.Random()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        client = Client(http, issuer)
        running: set[asyncio.Task[None]] = set()
        played = 0
        while not stop():
            played += 1
            # every fourth: a handover; the rest: a missing episode
            plays = handover_episode if played % 4 == 0 else episode
            task = asyncio.create_task(plays(client, pace, rng))
            running.add(task)
            task.add_done_callback(running.discard)
            task.add_done_callback(_log_failure)
            await asyncio.sleep(pace * 3)
        for task in running:
            task.cancel()


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("simulated episode stopped: %s", task.exception())


def start_in_background(base_url: str, issuer: DevIssuer, pace: float) -> Callable[[], None]:
    """Run `play` on a thread of its own once the hub answers; the function that stops it."""
    stopping = threading.Event()

    async def main() -> None:
        async with httpx.AsyncClient() as http:
            while not stopping.is_set():
                try:
                    if (await http.get(f"{base_url}/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        await play(base_url, issuer, pace, stopping.is_set)

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="simulator", daemon=True)
    thread.start()
    return stopping.set
