"""What the console's end-to-end tests share: a browser (Debian's Chromium, driven by
Playwright), signing in as a demo persona, screenshots, and axe-core's accessibility
check (shipped in the axe-playwright-python wheel; nothing fetched)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# the flags Chromium needs on a machine without a network beyond loopback
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


async def launch(playwright: Any) -> Any:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


async def signed_in(
    browser: Any, base_url: str, org: str, role: str, viewport: dict[str, int] = DESKTOP
) -> Any:
    """A new page signed in as the demo persona; page errors fail the test that reads
    `page.errors`."""
    page = await browser.new_page(viewport=viewport)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    await page.goto(f"{base_url}/console/")
    await page.select_option("#org", org)
    await page.select_option("#role", role)
    await page.click("#persona-form button[type=submit]")
    await page.wait_for_selector("#tabs a")
    return page


async def shot(page: Any, name: str, folder: Path = ARTIFACTS) -> None:
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def accessible(page: Any) -> None:
    """axe-core finds no WCAG 2.0/2.1 A or AA violation on the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    found = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert not found, "\n".join(found)


async def go(page: Any, view: str, ready: str) -> None:
    """Opens a view by its tab, as a user would, and waits for `ready`."""
    await page.click(f"#tabs a[data-view={view}]")
    await page.wait_for_selector(ready)
