"""The console in a real headless Chromium (Debian's, driven by Playwright): a municipality
reports a child absent; the police's open board shows it without a reload; an NGO without
consent never sees it; the municipality's auditor finds the police's access in the log.
Screenshots of every page go to test-artifacts/console/."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import RunningHub

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no Chromium on this machine: install Debian's chromium (.ci/run does)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        await browser.close()


async def _signed_in(browser: Any, hub: RunningHub, org: str, role: str) -> Any:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{hub.base_url}/console/")
    await page.select_option("#org", org)
    await page.select_option("#role", role)
    await page.click("#persona-form button[type=submit]")
    await page.wait_for_selector("#who:has-text('" + role + "')")
    return page


async def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def _quiet_child(db: asyncpg.Connection) -> asyncpg.Record:
    child = await db.fetchrow(
        """SELECT id, given_name, family_name FROM children c
           WHERE responsible_municipality_id = 'stockholm'
             AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.child_id = c.id AND k.status <> 'CLOSED')
           ORDER BY given_name LIMIT 1"""
    )
    assert child is not None
    return child


async def test_a_report_reaches_the_police_board_live_but_not_an_ngo_and_shows_in_the_audit(
    hub: RunningHub, db: asyncpg.Connection, browser: Any
) -> None:
    child = await _quiet_child(db)
    name = f"{child['given_name']} {child['family_name']}"
    police = await _signed_in(browser, hub, "polisen-stockholm", "officer")
    await police.wait_for_selector("#board")
    await police.wait_for_selector(".link.on")
    ngo = await _signed_in(browser, hub, "stadsmissionen", "staff")
    await ngo.wait_for_selector("#board")
    await ngo.wait_for_selector(".link.on")

    municipality = await _signed_in(browser, hub, "stockholm", "caseworker")
    await municipality.wait_for_selector("#absent-form")
    await municipality.select_option("#absent-child", str(child["id"]))
    await municipality.fill("#absent-place", "Fridhemsplan")
    await municipality.fill("#absent-at", "2099-01-01T07:30")  # the hub refuses the future
    await municipality.click("#absent-form button[type=submit]")
    refusal = municipality.locator("#absent-form .error")
    await refusal.filter(has_text="lastSeenAt").or_(refusal.filter(has_text="future")).wait_for()
    await municipality.fill("#absent-at", "2026-11-01T07:30")
    await municipality.click("#absent-form button[type=submit]")
    await municipality.wait_for_selector("#absent-form .ok")
    await _shot(municipality, "municipality-board")

    absent = police.locator("#col-ABSENT").locator("xpath=..").get_by_text(name)
    await absent.wait_for(timeout=5000)  # arrived over the WebSocket: no reload
    await _shot(police, "police-board")
    await absent.click()
    await police.wait_for_selector("#withheld")
    assert await police.get_by_text("Återkomstsamtal delas inte med polisen.").count() == 1
    await police.wait_for_selector("#action-form")
    await _shot(police, "police-case")

    await ngo.wait_for_timeout(1000)
    assert await ngo.get_by_text(name).count() == 0
    await _shot(ngo, "ngo-board")

    auditor = await _signed_in(browser, hub, "stockholm", "auditor")
    await auditor.wait_for_selector("#audit-filter")
    await auditor.fill("#a-child", str(child["id"]))
    await auditor.click("#audit-filter button[type=submit]")
    await auditor.get_by_role(
        "cell", name="polisen-stockholm officer@polisen-stockholm"
    ).first.wait_for()
    await auditor.click("#a-verify")
    await auditor.wait_for_selector("#a-status:has-text('Kedjan är hel')")
    await _shot(auditor, "auditor-log")


async def test_the_console_speaks_english_on_request_and_fits_a_phone(
    hub: RunningHub, browser: Any
) -> None:
    page = await browser.new_page(viewport={"width": 375, "height": 740})
    await page.goto(f"{hub.base_url}/console/")
    await page.click("[data-lang=en]")
    await page.wait_for_selector("h2:has-text('Sign in')")
    await page.select_option("#org", "polisen-stockholm")
    await page.click("#persona-form button[type=submit]")
    await page.wait_for_selector("#board")
    assert await page.get_by_text("Reported missing").count() >= 1
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the board is {width}px wide on a 375px phone"
    await _shot(page, "phone-board-en")


async def test_tasks_show_deadlines_overdue_in_red_and_can_be_completed(
    hub: RunningHub, db: asyncpg.Connection, browser: Any
) -> None:
    page = await _signed_in(browser, hub, "stockholm", "caseworker")
    await page.click("a[href='#/tasks']")
    await page.wait_for_selector(".tasks")
    overdue = page.locator(".task.overdue")
    assert await overdue.count() >= 1, "the demo network has overdue tasks for Stockholm"
    colour = await overdue.first.locator(".due").evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(164, 22, 26)"
    before = await page.locator(".task").count()
    title = await page.locator(".task strong").first.inner_text()
    await page.locator(".task").first.get_by_role("button", name="Klarmarkera").click()
    from playwright.async_api import expect

    await expect(page.locator(".task")).to_have_count(before - 1)
    done = await db.fetchval(
        "SELECT count(*) FROM tasks WHERE status = 'DONE' AND title = $1", title
    )
    assert done >= 1
    await _shot(page, "tasks")
