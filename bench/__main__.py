"""python -m bench: run every scenario against a real PostgreSQL; print and keep the report.

Uses HUB_DATABASE_URL's server when set, else an embedded one in a temporary directory.
The report goes to bench/REPORT.md. Arguments, if any, are the fan-out sizes
(default 100 1000; `python -m bench 100 1000 5000` adds the large one).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bench import fanout, list_authorization

REPORT = Path(__file__).resolve().parent / "REPORT.md"


def main() -> int:
    sizes = tuple(int(n) for n in sys.argv[1:]) or fanout.SIZES
    report = asyncio.run(list_authorization.run()) + "\n\n" + asyncio.run(fanout.run(sizes))
    REPORT.write_text(f"# Benchmark report\n\nMade by `python -m bench`.\n\n{report}\n")
    print(report)
    print(f"\nwritten to {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
