"""python -m bench.serve --port P [--no-audit] [--bypass]: a hub for benchmarks only.

The same app `hub serve` runs, from the same HUB_* settings, plus the switches the "off"
side of a comparison needs: no audit recorder, a policy that discloses everything, and
audit records begun only once the answer is built (as before compiled reads began them
early).
None of these is a product setting; each compared hub runs in its own process so their
garbage collectors and event loops do not disturb each other's timings.
"""

from __future__ import annotations

import argparse
import os
import socket

from hub import collector
from hub.app import create_app
from hub.policy.engine import Policy
from hub.server import server_for
from hub.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-audit", action="store_true", help="record no audit rows")
    parser.add_argument("--bypass", action="store_true", help="policy discloses everything")
    parser.add_argument("--no-cohorts", action="store_true", help="no shared deliveries")
    parser.add_argument("--no-compiled", action="store_true", help="every read on graphql-core")
    parser.add_argument(
        "--late-record", action="store_true", help="audit records begun after the answer"
    )
    args = parser.parse_args()
    settings = load_settings().with_overrides(
        port=args.port,
        cohorts=not args.no_cohorts,
        compiled=not args.no_compiled,
    )
    app = create_app(settings, database_url=os.environ["HUB_DATABASE_URL"])
    runtime = app.state.runtime
    runtime.audit_enabled = not args.no_audit
    runtime.early_records = not args.late_record
    if args.bypass:
        runtime.policy = Policy(bypass=True)
    # the server and collector `hub serve` runs, so a comparison differs only by its switch
    server = server_for(app, "warning")
    sock = socket.create_server(("127.0.0.1", args.port))
    collector.settle()
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
