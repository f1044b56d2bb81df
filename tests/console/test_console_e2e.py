"""The console in a real headless Chromium (Debian's, driven by Playwright), as each of
the seven organisations and an auditor: the plan's first hour worked through the screens,
consent granted and revoked by the god man, emergency access opened and reviewed, the
county board's charts. Each step checks what that organisation sees and does not see, and
axe-core finds no accessibility violation on each screen. Screenshots of every page go to
test-artifacts/console/ (docs/screenshots/ comes from `python -m tests.console.screenshots`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from hub.demo.network import GUARDIAN_SUBS
from hub.demo.seed import _id
from tests.conftest import RunningHub, until
from tests.console.pages import CHROMIUM, PHONE, accessible, go, launch, shot, signed_in

MISSING_CASE = str(_id("case", 17))


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine: install Debian's chromium (.ci/run does)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await launch(p)
        yield browser
        await browser.close()


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def _quiet_child(db: asyncpg.Connection) -> asyncpg.Record:
    child = await db.fetchrow(
        """SELECT id, given_name, family_name, birth_date, residence_id FROM children c
           WHERE responsible_municipality_id = 'stockholm' AND residence_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.child_id = c.id AND k.status <> 'CLOSED')
           ORDER BY given_name LIMIT 1"""
    )
    assert child is not None
    return child


async def _act(page: Any, action: str, **values: str) -> None:
    """Chooses a lifecycle action on the case page, fills its fields, sends it."""
    await page.select_option("#action", action)
    for name, value in values.items():
        target = page.locator(f"#action-fields [name={name}]")
        if await target.evaluate("e => e.tagName") == "SELECT":
            await target.select_option(value)
        else:
            await target.fill(value)
    # the form says "Sparar…" from the click until the hub answers, then "Sparat. <action>."
    await page.click("#action-form button[type=submit]")
    await page.wait_for_selector("#action-form .message.ok")


async def test_the_first_hour_is_worked_through_the_console_by_each_organisation(
    hub: RunningHub, db: asyncpg.Connection, browser: Any
) -> None:
    child = await _quiet_child(db)
    name = f"{child['given_name']} {child['family_name']}"
    now = datetime.now()
    police = await signed_in(browser, hub.base_url, "polisen-stockholm", "officer")
    ngo = await signed_in(browser, hub.base_url, "stadsmissionen", "staff")
    for page in (police, ngo):
        await page.wait_for_selector("#board")
        await page.wait_for_selector(".link.on")

    # the residence's municipality reports the child absent, telling namesakes apart
    town = await signed_in(browser, hub.base_url, "stockholm", "caseworker")
    await town.wait_for_selector("#absent-form")
    await town.fill("#absent-child-filter", child["family_name"])
    await town.select_option("#absent-child", str(child["id"]))
    assert child["birth_date"].isoformat() in await town.inner_text("#absent-child")
    await town.fill("#absent-form [name=lastSeenPlace]", "Fridhemsplan")
    await town.fill("#absent-form [name=lastSeenAt]", "2099-01-01T07:30")
    await town.click("#absent-form button[type=submit]")
    await town.wait_for_selector("#absent-form .message.error:has-text('Kontrollera uppgifterna')")
    await town.fill("#absent-form [name=lastSeenAt]", _local(now - timedelta(hours=1)))
    await town.click("#absent-form button[type=submit]")
    await town.wait_for_selector("#absent-form .message.ok")
    await accessible(town)
    await shot(town, "municipality-board")

    # the police's board shows it without a reload, as Frånvarande; the NGO's never does
    absent = police.locator("#col-ABSENT").locator("xpath=..").get_by_text(name)
    await absent.wait_for()
    absent_count = await police.locator("#col-ABSENT ~ ul li").count()
    assert await police.locator("#col-ABSENT").inner_text() == f"Frånvarande ({absent_count})"
    await accessible(police)
    await shot(police, "police-board")

    # the municipality reports it to the police from the case page
    await town.locator("#col-ABSENT").locator("xpath=..").get_by_text(name).click()
    await town.wait_for_selector("#case-title")
    case_id = town.url.rsplit("/", 1)[1]
    await _act(town, "reportMissingToPolice", policeReportNumber="5000-K111-26")
    await town.wait_for_selector("#status:has-text('Anmäld försvunnen')")
    await accessible(town)
    await shot(town, "municipality-case")

    # the police see the signalement and why the rest is withheld, in Swedish
    await police.locator("#col-REPORTED_MISSING").locator("xpath=..").get_by_text(name).click()
    await police.wait_for_selector("#case-title")
    assert await police.locator("#child").count() == 1
    withheld = await police.inner_text("#withheld")
    assert "Återkomstsamtal delas inte med polisen" in withheld
    assert "Hälsouppgifter kan öppnas för polisen bara med nödåtkomst" in withheld
    assert await police.get_by_text("Status: Avviken").count() == 0

    # a half-typed sighting survives a partner's change arriving live
    await police.select_option("#action", "addSighting")
    await police.fill("#action-fields [name=place]", "Centralen, halvskrivet")
    agency = await signed_in(browser, hub.base_url, "migrationsverket", "caseworker")
    await agency.goto(f"{hub.base_url}/console/#/case/{case_id}")
    await agency.wait_for_selector("#case-title")
    await _act(agency, "registerAvviken")
    await agency.wait_for_selector("#status:has-text('Registrerad avviken (Migrationsverket)')")
    assert await agency.locator("#status .state").inner_text() == "Anmäld försvunnen"
    assert await agency.locator("#child").count() == 1  # the signalement, for the search
    await accessible(agency)
    await shot(agency, "migrationsverket-case")
    await police.wait_for_selector("#case-notice:has-text('Uppdaterat')")
    assert await police.input_value("#action-fields [name=place]") == "Centralen, halvskrivet"

    # the residence the child left sees the case and whom to call, not the asylum file
    residence = await signed_in(browser, hub.base_url, child["residence_id"], "staff")
    await residence.goto(f"{hub.base_url}/console/#/case/{case_id}")
    await residence.wait_for_selector("#call:has-text('Polisen')")
    assert await residence.locator("#withheld li[data-category=ASYLUM]").count() == 1
    await accessible(residence)
    await shot(residence, "residence-case")

    # the police grade the risk and put out an alert
    await _act(police, "recordPoliceAssessment", grade="HIGH", rationale="Tidigare utsatt")
    await police.wait_for_selector("#risk:has-text('hög')")
    await _act(police, "recordAlert", reference="EFT-26-1", issuedAt=_local(now))
    await police.wait_for_selector("#status:has-text('EFT-26-1')")
    await accessible(police)
    await shot(police, "police-case")

    # the police acknowledge what partners did, one event after another, until none is left
    for _ in range(10):
        if not await police.locator("#ack").count():
            break
        cursor = await police.get_attribute("#ack", "data-cursor")
        await police.click("#ack")
        await police.wait_for_function(
            "c => !document.querySelector(`#ack[data-cursor='${c}']`)", arg=cursor
        )
    await police.reload()
    await police.wait_for_selector("#case-title")
    assert await police.locator("#ack").count() == 0

    # the NGO meets the child: the lookup names the municipality to call, nothing more
    await go(ngo, "search", "#lookup-form")
    await ngo.fill("#lookup-form [name=familyName]", child["family_name"])
    await ngo.fill("#lookup-form [name=birthDate]", child["birth_date"].isoformat())
    await ngo.fill("#lookup-form [name=reason]", "Pojken sökte sig till vårt härbärge i natt")
    await ngo.click("#lookup-form button[type=submit]")
    match = ngo.locator(".matches > li").first
    await match.wait_for()
    assert "Stockholms stad" in await match.inner_text()
    assert child["given_name"] not in await ngo.inner_text("main")
    await match.locator("[name=seenAt]").fill(_local(now))
    await match.locator("[name=place]").fill("Stadsmissionens härbärge")
    await match.locator("button[type=submit]").click()
    await ngo.wait_for_selector(".report .message.ok:has-text('rapporterad')")
    await accessible(ngo)
    await shot(ngo, "ngo-lookup")

    # the municipality sees the contact live, and works the case to its end
    await town.wait_for_selector("#sightings:has-text('Stadsmissionens härbärge')")
    await _act(town, "reportFound", foundAt=_local(now), place="Stadsmissionens härbärge")
    await town.wait_for_selector("#status .state:has-text('Påträffad')")
    await _act(town, "recordReturnInterview", summary="Samtal hållet med tolk")
    await town.wait_for_selector("#status .state:has-text('Uppföljning')")
    await _act(town, "closeCase", outcome="RETURNED", reason="Polisen häver efterlysningen")
    await town.wait_for_selector("#status .state:has-text('Avslutad')")
    # nothing is left to do, and the answer to the last action is still shown
    assert await town.locator("#action").is_hidden()
    assert await town.locator("#action-form .message.ok").is_visible()

    # the municipality's auditor finds the police's reading by the child's name
    auditor = await signed_in(browser, hub.base_url, "stockholm", "auditor")
    await auditor.wait_for_selector("#audit-filter")
    await auditor.fill("#audit-filter [name=childName]", child["family_name"])
    await auditor.click("#audit-filter button[type=submit]")
    await auditor.wait_for_selector("#audit-rows tr")
    assert "polisen-stockholm" in await auditor.inner_text("#audit-rows")
    await auditor.select_option("#audit-filter [name=kind]", "MUTATION")
    await auditor.click("#audit-filter button[type=submit]")
    await auditor.wait_for_selector("#audit-rows:has-text('Ändring: Status ändrad')")
    await auditor.click("#a-verify")
    await auditor.wait_for_selector("#a-status:has-text('Kedjan är hel')")
    await accessible(auditor)
    await shot(auditor, "auditor-log")
    for page in (town, police, ngo, agency, residence, auditor):
        assert page.errors == []


def _photo(folder: Path) -> Path:
    """A small real PNG, as a phone's camera would give a JPEG."""
    from PIL import Image

    path = folder / "foto.png"
    Image.new("RGB", (40, 60), (30, 90, 160)).save(path)
    return path


async def test_the_god_man_keeps_the_signalement_grants_and_revokes_consent(
    hub: RunningHub, db: asyncpg.Connection, browser: Any, tmp_path: Path
) -> None:
    ward = await db.fetchrow(
        """SELECT c.id, c.given_name, k.id AS case_id FROM children c
             JOIN cases k ON k.child_id = c.id AND k.status <> 'CLOSED'
            WHERE c.guardian_sub = $1 LIMIT 1""",
        GUARDIAN_SUBS[0],
    )
    assert ward is not None, "the demo's first god man has a ward with an open case"
    ngo = await signed_in(browser, hub.base_url, "stadsmissionen", "staff")
    await ngo.goto(f"{hub.base_url}/console/#/case/{ward['case_id']}")
    await ngo.wait_for_selector("main:has-text('Ärendet finns inte')")

    guardian = await signed_in(browser, hub.base_url, "overformyndare-stockholm", "guardian")
    await guardian.goto(f"{hub.base_url}/console/#/child/{ward['id']}")
    await guardian.wait_for_selector("#consent-form")
    assert "Syns för:" in await guardian.inner_text("#edit-description")
    # the signalement kept before anything happens: a new photo and what the child wears
    await guardian.fill("#description-form [name=clothing]", "grön parkas, vita skor")
    await guardian.set_input_files("#description-form [name=photo]", str(_photo(tmp_path)))
    await guardian.click("#description-form button[type=submit]")
    await guardian.wait_for_selector("#sheet:has-text('grön parkas, vita skor')")
    await guardian.wait_for_selector("#sheet img.photo")
    assert await guardian.locator("#sheet img.photo").evaluate("i => i.naturalWidth") == 40
    await guardian.select_option("#consent-form [name=recipient]", "stadsmissionen")
    for category in ("CASE_STATUS", "DESCRIPTION"):
        await guardian.check(f"#consent-form input[value={category}]")
    await guardian.click("#consent-form button[type=submit]")
    await guardian.wait_for_selector("#consents li:has-text('Stockholms Stadsmission')")
    await accessible(guardian)
    await shot(guardian, "guardian-child")

    await ngo.goto(f"{hub.base_url}/console/#/board")
    await ngo.goto(f"{hub.base_url}/console/#/case/{ward['case_id']}")
    await ngo.wait_for_selector("#child")
    assert await ngo.locator("#withheld li[data-category=IDENTITY]").count() == 1
    assert ward["given_name"] not in await ngo.inner_text("#child")
    await shot(ngo, "ngo-case-with-consent")

    await guardian.click("#consents li:has-text('Stockholms Stadsmission') button")
    await guardian.wait_for_selector("#consents li:has-text('återkallat')")
    await ngo.evaluate("window.dispatchEvent(new Event('focus'))")  # the NGO looks again
    await ngo.wait_for_selector("#case-notice:has-text('inte längre åtkomst')")
    assert await ngo.locator("#case-facts > *").count() == 0
    await shot(ngo, "ngo-access-lost")
    assert guardian.errors == []
    assert ngo.errors == []


async def test_an_officer_opens_health_with_a_reason_and_the_police_auditor_reviews_it(
    hub: RunningHub, browser: Any
) -> None:
    police = await signed_in(browser, hub.base_url, "polisen-stockholm", "officer")
    await police.goto(f"{hub.base_url}/console/#/case/{MISSING_CASE}")
    await police.wait_for_selector("#emergency-form")
    await police.select_option("#emergency-form [name=category]", "HEALTH")
    await police.fill(
        "#emergency-form [name=reason]", "Påträffad medvetslös, behöver veta om medicin"
    )
    await police.fill("#emergency-form [name=reference]", "5000-K123456-26")
    await police.click("#emergency-form button[type=submit]")
    await police.wait_for_selector("#emergency-form .message.ok:has-text('Nödåtkomst öppnad')")
    await police.wait_for_selector("#child .opened:has-text('Öppnad med nödåtkomst')")
    assert await police.locator("#withheld li[data-category=HEALTH]").count() == 0
    await accessible(police)
    await shot(police, "police-emergency")

    auditor = await signed_in(browser, hub.base_url, "polisen-stockholm", "auditor")
    await go(auditor, "review", "#grant-list")
    grant = auditor.locator("#grant-list li").filter(has_text="5000-K123456-26").first
    await grant.wait_for()
    await accessible(auditor)
    await shot(auditor, "auditor-review")
    await grant.locator("[name=verdict]").select_option("JUSTIFIED")
    await grant.locator("button[type=submit]").click()
    await auditor.wait_for_selector("#review-status:has-text('Sparat. Befogad')")
    await auditor.uncheck("#only-unreviewed")
    await auditor.locator("#grant-list li").filter(has_text="Granskad").first.wait_for()
    assert police.errors == []
    assert auditor.errors == []


async def test_a_slow_answer_to_an_earlier_question_never_overwrites_a_newer_one(
    hub: RunningHub, browser: Any
) -> None:
    """The review list asks for unreviewed grants; before that answer comes the auditor
    asks for all of them. The first question is cancelled, not left to land last (it did:
    a late answer replaced the list the auditor had just asked for)."""
    auditor = await signed_in(browser, hub.base_url, "polisen-stockholm", "auditor")
    held: list[Any] = []
    failed: list[Any] = []

    async def hold_unreviewed(route: Any) -> None:
        if '"unreviewed":true' in (route.request.post_data or ""):
            held.append(route)  # never answered: only a cancellation ends it
        else:
            await route.continue_()

    def unreviewed_failed() -> bool:
        return any('"unreviewed":true' in (r.post_data or "") for r in failed)

    auditor.on("requestfailed", lambda request: failed.append(request))
    await auditor.route("**/graphql", hold_unreviewed)
    await go(auditor, "review", "#only-unreviewed")
    await until(lambda: len(held) == 1, what="the first question is asked")
    await auditor.uncheck("#only-unreviewed")
    await until(unreviewed_failed, what="the first question is cancelled")
    await auditor.wait_for_selector("#grant-list :is(ul, p:not(.loading))")
    assert auditor.errors == []


async def test_the_county_board_sees_charts_and_never_a_case(hub: RunningHub, browser: Any) -> None:
    board = await signed_in(browser, hub.base_url, "lansstyrelsen-stockholm", "coordinator")
    await board.wait_for_selector("#charts img.chart")
    charts = board.locator("#charts img.chart")
    assert await charts.count() == 5
    for n in range(5):
        assert await charts.nth(n).evaluate("i => i.complete && i.naturalWidth > 0")
    assert await board.locator("#tabs a").all_inner_texts() == ["Statistik"]
    assert await board.locator("#charts a[download]").count() == 5
    await accessible(board)
    await shot(board, "county-board-statistics")
    await board.goto(f"{hub.base_url}/console/#/case/{MISSING_CASE}")
    await board.wait_for_selector("#charts")  # no case view: back to its statistics
    assert board.errors == []


async def test_the_console_speaks_english_on_request_and_fits_a_phone(
    hub: RunningHub, browser: Any
) -> None:
    page = await signed_in(browser, hub.base_url, "polisen-stockholm", "officer", PHONE)
    await page.wait_for_selector("#board")
    await page.click("[data-lang=en]")
    await page.wait_for_selector("#col-REPORTED_MISSING:has-text('Reported missing')")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the board is {width}px wide on a {PHONE['width']}px phone"
    await page.goto(f"{hub.base_url}/console/#/case/{MISSING_CASE}")
    await page.wait_for_selector("#withheld")
    assert "is not shared with the police" in await page.inner_text("#withheld")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the case is {width}px wide on a {PHONE['width']}px phone"
    await accessible(page)
    await shot(page, "phone-case-en")
    await page.click("[data-lang=sv]")


async def test_tasks_are_live_overdue_in_red_and_can_be_completed(
    hub: RunningHub, db: asyncpg.Connection, browser: Any
) -> None:
    page = await signed_in(browser, hub.base_url, "stockholm", "caseworker")
    await go(page, "tasks", ".tasks")
    overdue = page.locator(".task.overdue")
    assert await overdue.count() >= 1, "the demo network has overdue tasks for Stockholm"
    colour = await overdue.first.locator(".due").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(164, 22, 26)"
    await accessible(page)
    await shot(page, "tasks")
    before = await page.locator(".task").count()
    title = await page.locator(".task strong").first.inner_text()
    await page.locator(".task").first.get_by_role("button", name="Klarmarkera").click()
    from playwright.async_api import expect

    await expect(page.locator(".task")).to_have_count(before - 1)
    done = await db.fetchval(
        "SELECT count(*) FROM tasks WHERE status = 'DONE' AND title = $1", title
    )
    assert done >= 1
    await page.click("#bell")
    await page.wait_for_selector("#inbox-list li")
    await accessible(page)
    await shot(page, "inbox")


async def test_a_token_kept_from_an_earlier_visit_that_no_longer_works_leads_to_sign_in(
    hub: RunningHub, browser: Any
) -> None:
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{hub.base_url}/console/")
    await page.evaluate("sessionStorage.setItem('hub.token', 'expired.or.forged')")
    await page.reload()
    await page.wait_for_selector("#persona-form")
    assert await page.locator("#tabs").is_hidden()
    assert errors == []


async def test_a_municipality_hands_a_child_over_and_the_other_accepts(
    hub: RunningHub, db: asyncpg.Connection, browser: Any
) -> None:
    child = await _quiet_child(db)
    town = await signed_in(browser, hub.base_url, "stockholm", "caseworker")
    await town.goto(f"{hub.base_url}/console/#/child/{child['id']}")
    await town.wait_for_selector("#transfer-form")
    await town.select_option("#transfer-form [name=to]", "nacka")
    await town.fill("#transfer-form [name=reason]", "Barnet flyttar till ett boende i Nacka")
    await town.click("#transfer-form button[type=submit]")
    await town.wait_for_selector("#placements:has-text('Nacka kommun')")

    nacka = await signed_in(browser, hub.base_url, "nacka", "caseworker")
    await go(nacka, "transfers", "#transfer-list li")
    asked = nacka.locator("#transfer-list li").filter(has_text="Barnet flyttar till ett boende")
    await accessible(nacka)
    await shot(nacka, "transfers")
    await asked.get_by_role("button", name="Godta").click()
    await nacka.wait_for_selector("#transfer-list li:has-text('godtagen')")
    responsible = await db.fetchval(
        "SELECT responsible_municipality_id FROM children WHERE id = $1", child["id"]
    )
    assert responsible == "nacka"
    assert town.errors == []
    assert nacka.errors == []
