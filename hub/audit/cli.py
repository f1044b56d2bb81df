"""`hub audit verify` and `hub retention run`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub.db.pool import create_pool
from hub.settings import Settings

_PROGRESS_EVERY = 100_000


def add_parsers(commands: Any) -> None:
    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify", help="re-hash the whole trail; exit 1 at the first broken link"
    )
    verify.add_argument("--data-dir", type=Path, help="data directory (HUB_DATA_DIR)")

    retention = commands.add_parser("retention", help="pseudonymise and drop what is too old")
    retention_commands = retention.add_subparsers(
        dest="retention_command", required=True, metavar="ACTION"
    )
    run = retention_commands.add_parser(
        "run", help="HUB_RETENTION_DAYS for children, HUB_AUDIT_RETENTION_DAYS for the trail"
    )
    mode = run.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="report what would change")
    mode.add_argument("--apply", action="store_true", help="make the changes")
    run.add_argument("--data-dir", type=Path, help="data directory (HUB_DATA_DIR)")


async def verify(settings: Settings, url: str) -> int:
    from hub.audit.verifier import AuditVerifier

    def progress(checked: int) -> None:
        if checked % _PROGRESS_EVERY == 0:
            print(f"  {checked:,} rows verified ...", file=sys.stderr)

    pool = await create_pool(url, min_size=1, max_size=1, role=settings.database_role)
    try:
        # a full run, recorded: verifyAuditChain answers it until the next run
        verifier = AuditVerifier(pool)
        await verifier.request_full("hub audit verify", None)
        result = (await verifier.tick(progress)).result
    finally:
        await pool.close()
    if result.ok:
        span = f" (seq {result.first_seq}..{result.last_seq})" if result.checked else ""
        print(f"ok: {result.checked} rows verified{span}")
        return 0
    print(f"broken at seq {result.first_broken_seq}: {result.problem}")
    print(f"{result.checked} rows before it verified")
    return 1


async def retention(settings: Settings, url: str, args: argparse.Namespace) -> int:
    from hub.retention import service

    pool = await create_pool(url, min_size=1, max_size=1, role=settings.database_role)
    try:
        report = await service.run(pool, settings, apply=bool(args.apply))
    finally:
        await pool.close()
    print("\n".join(report.lines()))
    return 0
