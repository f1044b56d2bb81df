"""docs/screenshots/: every console screen, in Swedish, at desktop and phone width, as
each organisation of the demo network sees it. One command:

    .venv/bin/python -m tests.console.screenshots

It starts `hub demo` on a free port with a data directory of its own, walks the screens
with Debian's Chromium, and stops the demo.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hub.demo.seed import _id
from tests.conftest import free_socket
from tests.console.pages import CHROMIUM, DESKTOP, PHONE, launch, shot, signed_in
from tests.test_demo import _wait_ready

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MISSING_CASE = str(_id("case", 17))
MISSING_CHILD = str(_id("child", 17))
# (file name, organisation, role, where, what shows the screen is ready)
SCREENS = [
    ("01-sign-in", None, None, "", "#persona-form"),
    ("02-municipality-board", "stockholm", "caseworker", "#/board", "#board .case"),
    ("03-municipality-case", "stockholm", "caseworker", f"#/case/{MISSING_CASE}", "#call"),
    ("04-municipality-child", "nacka", "caseworker", f"#/child/{MISSING_CHILD}", "#consent"),
    ("05-municipality-search", "stockholm", "caseworker", "#/search", "#lookup-form"),
    ("06-municipality-tasks", "stockholm", "caseworker", "#/tasks", ".tasks"),
    ("07-municipality-inbox", "stockholm", "caseworker", "#/inbox", "#inbox-list ul"),
    ("08-municipality-transfers", "stockholm", "caseworker", "#/transfers", "#transfer-list"),
    ("09-police-board", "polisen-stockholm", "officer", "#/board", "#board .case"),
    ("10-police-case", "polisen-stockholm", "officer", f"#/case/{MISSING_CASE}", "#emergency"),
    ("11-agency-case", "migrationsverket", "caseworker", f"#/case/{MISSING_CASE}", "#status"),
    ("12-residence-board", "hvb-solbacken", "staff", "#/board", "#board"),
    ("13-guardian-board", "overformyndare-stockholm", "guardian", "#/board", "#board"),
    ("14-ngo-lookup", "stadsmissionen", "staff", "#/search", "#lookup-form"),
    ("15-county-statistics", "lansstyrelsen-stockholm", "coordinator", "#/stats", "#charts img"),
    ("16-auditor-log", "stockholm", "auditor", "#/audit", "#audit-rows tr"),
    ("17-auditor-review", "polisen-stockholm", "auditor", "#/review", "#grant-list"),
]


def _demo(port: int, data_dir: Path) -> subprocess.Popen[str]:
    """`hub demo`, ready; its output is not read while it runs, so it goes to /dev/null
    (a pipe could fill and stall it)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "demo", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    _wait_ready(port, process)
    return process


async def _walk(base: str, browser: Any) -> None:
    for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        for name, org, role, where, ready in SCREENS:
            if org is None or role is None:
                page = await browser.new_page(viewport=viewport)
                await page.goto(f"{base}/console/")
            else:
                page = await signed_in(browser, base, org, role, viewport)
                await page.goto(f"{base}/console/{where}")
            await page.wait_for_selector(ready)
            await page.wait_for_load_state("networkidle")
            await shot(page, f"{name}-{width}", OUT)
            await page.close()
            print(f"docs/screenshots/{name}-{width}.png", file=sys.stderr)


async def main() -> None:
    if CHROMIUM is None:
        raise SystemExit("no Chromium: install Debian's chromium")
    from playwright.async_api import async_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    data_dir = Path(tempfile.mkdtemp(prefix="hub-shots-")) / "demo"
    process = _demo(port, data_dir)
    try:
        async with async_playwright() as p:
            browser = await launch(p)
            await _walk(f"http://127.0.0.1:{port}", browser)
            await browser.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        shutil.rmtree(data_dir.parent, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
