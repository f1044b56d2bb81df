"""python -m bench: run every scenario against a real PostgreSQL and print the ratios.

Uses HUB_DATABASE_URL's server when set, else an embedded one in a temporary directory.
"""

from __future__ import annotations

import asyncio
import sys

from bench import list_authorization


def main() -> int:
    report = asyncio.run(list_authorization.run())
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
