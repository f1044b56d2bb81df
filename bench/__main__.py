"""python -m bench: run every scenario against a real PostgreSQL; print and keep the report.

Uses HUB_DATABASE_URL's server when set, else an embedded one in a temporary directory.
The report goes to bench/REPORT.md and bench/REPORT.json (only when every scenario ran).
Positional arguments, if any, are the fan-out sizes (default 100 1000 5000); `--only
list,audit` runs some scenarios and prints them without writing; `--clients`,
`--seconds` and `--think` shape the load run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bench import (
    audit_log,
    compiled,
    detail,
    fanout,
    finding,
    list_authorization,
    load,
    notifier,
    peer,
    startup,
)
from bench.report import as_json

REPORT = Path(__file__).resolve().parent / "REPORT.md"
REPORT_JSON = REPORT.with_suffix(".json")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("sizes", nargs="*", type=int, help="fan-out subscriber counts")
    parser.add_argument(
        "--only",
        help="comma-separated: list, detail, peer, fanout, audit, load, startup, finding, "
        "notifier, compiled",
    )
    parser.add_argument("--clients", type=int, default=load.CLIENTS, help="load run clients")
    parser.add_argument("--seconds", type=float, default=load.SECONDS, help="load run length")
    parser.add_argument("--think", type=float, default=load.THINK, help="load run pause (s)")
    args = parser.parse_args()
    sizes = tuple(args.sizes) or fanout.SIZES
    scenarios: dict[str, Callable[[], Coroutine[Any, Any, str]]] = {
        "list": list_authorization.run,
        "detail": detail.run,
        "peer": peer.run,
        "fanout": lambda: fanout.run(sizes),
        "audit": audit_log.run,
        "load": lambda: load.run(args.clients, args.seconds, args.think),
        "startup": startup.run,
        "finding": finding.run,
        "notifier": notifier.run,
        "compiled": compiled.run,
    }
    chosen = args.only.split(",") if args.only else list(scenarios)
    unknown = sorted(set(chosen) - set(scenarios))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(scenarios)}")
    parts: list[str] = []
    for name in chosen:
        print(f"running scenario {name} ...", file=sys.stderr, flush=True)
        parts.append(asyncio.run(scenarios[name]()))
    report = "\n\n".join(parts)
    print(report)
    if not args.only:
        REPORT.write_text(f"# Benchmark report\n\nMade by `python -m bench`.\n\n{report}\n")
        REPORT_JSON.write_text(as_json(report) + "\n")
        print(f"\nwritten to {REPORT} and {REPORT_JSON.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
