"""The hub answers exactly as strawberry's stock executor does (HUB_COMPILED=0), on the
real schema, for every read the console, the benchmarks and the README send, as several
organisations: the compiled path where it answers, graphql-core wherever it does not."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench import list_authorization, load
from hub.demo.seed import _id
from tests.conftest import run_hub

ROOT = Path(__file__).resolve().parents[2]
CASES = [str(_id("case", n)) for n in (5, 17, 71)]  # absent, missing, closed
PRINCIPALS = [
    ("stockholm", "caseworker"),
    ("polisen-stockholm", "officer"),
    ("stadsmissionen", "staff"),
    ("overformyndare-stockholm", "guardian"),
]


def _console_queries() -> dict[str, str]:
    """The console's query documents (constants of its modules), ${...} filled in."""
    constants: dict[str, str] = {}
    for module in sorted((ROOT / "hub" / "console").rglob("*.js")):
        found = re.findall(
            r"^(?:export )?const ([A-Z_]+) = [`\"](.*?)[`\"];", module.read_text(), re.S | re.M
        )
        constants |= dict(found)

    def filled(text: str) -> str:
        return re.sub(r"\$\{([A-Z_]+)\}", lambda m: filled(constants[m.group(1)]), text)

    return {f"console {n}": filled(t) for n, t in constants.items() if t.startswith("query")}


def _readme_queries() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```graphql\n(.*?)```", text, re.S)
    return {f"README {n}": b for n, b in enumerate(blocks)}


def _operations() -> dict[str, str]:
    found = {**_console_queries(), **_readme_queries()}
    found |= {f"bench list {n}": q for n, q in list_authorization.QUERIES.items()}
    found |= {"bench load board": load.BOARD, "bench load detail": load.DETAIL}
    return found


async def _answers(db_url: str, data_dir: Path, compiled: bool) -> list[Any]:
    found = []
    async with run_hub(db_url, data_dir, compiled=compiled) as hub:
        await hub.swept()  # else the first hub may answer before tasks fall due
        for org, role in PRINCIPALS:
            sub = "godman-1" if role == "guardian" else f"{role}@{org}"
            token = hub.token(org, role, sub=sub)
            for name, document in sorted(_operations().items()):
                for case in CASES if "$id" in document else [None]:
                    response = await hub.graphql(token, document, {"id": case} if case else {})
                    found.append((org, name, case, response.status_code, response.json()))
    return found


async def test_the_hub_and_the_stock_executor_give_the_same_answers(
    db_url: str, data_dir: Path
) -> None:
    operations = _operations()
    assert len([n for n in operations if n.startswith("console")]) >= 3
    assert any(n.startswith("README") for n in operations)
    hub = await _answers(db_url, data_dir, compiled=True)
    stock = await _answers(db_url, data_dir, compiled=False)
    assert len(hub) == len(stock) > 20
    for one, other in zip(hub, stock, strict=True):
        assert one == other, one[:3]
    assert sum(1 for *_, status, body in hub if status == 200 and body.get("data")) > 20
