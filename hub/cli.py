"""The `hub` command: serve, demo, migrate, token, schema, policy, audit, retention."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import socket
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import asyncpg

from hub.errors import ConfigurationError
from hub.settings import Environment, Settings, load_settings, refuse_exposed_dev, retired

log = logging.getLogger("hub")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hub", description="The county hub for unaccompanied children who go missing."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="address to listen on (default 127.0.0.1, HUB_HOST)")
        p.add_argument("--port", type=int, help="port to listen on (default 8000, HUB_PORT)")
        p.add_argument("--data-dir", type=Path, help="data directory (HUB_DATA_DIR)")

    serve = commands.add_parser("serve", help="run the hub (HUB_DATABASE_URL or embedded)")
    server_args(serve)
    demo = commands.add_parser("demo", help="seed the demo network and run the hub")
    server_args(demo)
    demo.add_argument(
        "--simulate", action="store_true", help="play episodes on the demo network (board moves)"
    )
    demo.add_argument(
        "--pace", type=float, default=5.0, help="seconds between simulated steps (default 5)"
    )

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.add_argument("--status", action="store_true", help="list migrations, apply nothing")
    migrate.add_argument("--data-dir", type=Path, help="data directory (HUB_DATA_DIR)")

    token = commands.add_parser("token", help="print a dev-issuer token (dev only)")
    token.add_argument("--org", required=True, help="organisation id, e.g. stockholm")
    token.add_argument("--role", required=True, action="append", help="role; repeatable")
    token.add_argument("--sub", help="subject (default: <role>@<org>)")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    token.add_argument("--purpose", choices=["protection", "enforcement"])
    token.add_argument("--name", help="display name claim")
    token.add_argument("--data-dir", type=Path, help="data directory (HUB_DATA_DIR)")

    from hub.policy import cli as policy_cli

    policy_cli.add_parser(commands)

    from hub.audit import cli as audit_cli

    audit_cli.add_parsers(commands)

    schema = commands.add_parser("schema", help="the GraphQL schema file")
    schema.add_argument(
        "action",
        choices=["export", "check", "explain"],
        help="export: rewrite schema/hub.graphql; check: fail if it drifted; explain: "
        "whether the compiled read path answers DOCUMENT (exit 1 when it falls back)",
    )
    schema.add_argument("document", nargs="?", help="explain: a .graphql file, or - for stdin")
    schema.add_argument("--operation", help="explain: the operation's name, if several")
    schema.add_argument("--variables", help="explain: the variables as JSON")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    # serving is prod unless asked otherwise: no token for anyone who asks by accident
    default = Environment.PROD if args.command == "serve" else Environment.DEV
    for line in retired():
        print(f"hub: {line}", file=sys.stderr)
    settings = load_settings(default_env=default)
    overrides = {
        name: getattr(args, name)
        for name in ("host", "port", "data_dir")
        if getattr(args, name, None) is not None
    }
    settings = settings.with_overrides(**overrides) if overrides else settings
    refuse_exposed_dev(settings)
    return settings


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The database URL: HUB_DATABASE_URL, or the embedded server for this data dir."""
    if settings.database_url:
        yield settings.database_url
        return
    from hub.db.embedded import ensure_database, start_embedded

    print(f"Starting the embedded PostgreSQL in {settings.data_dir / 'pg'} ...", file=sys.stderr)
    server = start_embedded(settings.data_dir)
    try:
        asyncio.run(ensure_database(server.url("postgres")))
        yield server.url()
    finally:
        server.stop()


async def _connect(url: str) -> asyncpg.Connection:
    from hub.db.pool import redact

    try:
        return await asyncpg.connect(url, timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot connect to PostgreSQL at {redact(url)} ({type(exc).__name__}); "
            "is it running, and is HUB_DATABASE_URL right?"
        ) from exc


async def _migrate(url: str, *, status_only: bool = False) -> None:
    from hub.db import migrations

    conn = await _connect(url)
    try:
        if status_only:
            for s in await migrations.status(conn):
                print(f"{'applied' if s.applied else 'pending'}  {s.migration.name}")
            return
        for m in await migrations.migrate(conn):
            print(f"applied  {m.name}", file=sys.stderr)
    finally:
        await conn.close()


async def _seed(url: str) -> None:
    from hub.demo.seed import seed

    conn = await _connect(url)
    try:
        async with conn.transaction():
            await conn.set_type_codec(
                "jsonb",
                encoder=__import__("json").dumps,
                decoder=__import__("json").loads,
                schema="pg_catalog",
            )
            report = await seed(conn)
    finally:
        await conn.close()
    print(
        f"Demo network: {report.organisations} organisations, {report.children} children, "
        f"{report.open_cases} open cases.",
        file=sys.stderr,
    )


def _bind(settings: Settings) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigurationError(
                f"port {settings.port} on {settings.host} is in use; pass --port or stop the "
                "other server"
            ) from None
        raise ConfigurationError(
            f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}"
        ) from None
    return sock


def _serve(settings: Settings, url: str, sock: socket.socket, pace: float | None = None) -> None:
    from hub import collector
    from hub.app import create_app
    from hub.server import server_for
    from hub.telemetry import setup as telemetry
    from hub.telemetry.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    if settings.env is Environment.DEV:
        print(
            "hub: HUB_ENV=dev: the dev token issuer is on (anyone here may get a token); "
            "loopback only, never for real data",
            file=sys.stderr,
        )
    else:
        print(f"hub: HUB_ENV=prod: trusting tokens from {settings.oidc_issuer}", file=sys.stderr)
    flush_telemetry = telemetry.configure()
    app = create_app(settings, database_url=url)
    stop_simulating = _simulate(settings, sock, pace) if pace else (lambda: None)
    server = server_for(app, settings.log_level, at_end=(stop_simulating, flush_telemetry))
    collector.settle()
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        server.end()


def _simulate(settings: Settings, sock: socket.socket, pace: float) -> Callable[[], None]:
    from hub.auth.dev_issuer import DevIssuer
    from hub.demo.simulate import start_in_background

    port = sock.getsockname()[1]
    print(f"simulating episodes, one step every {pace:g} s", file=sys.stderr)
    issuer = DevIssuer(settings.data_dir, audience=settings.oidc_audience)
    return start_in_background(f"http://127.0.0.1:{port}", issuer, pace)


def _print_demo_banner(settings: Settings) -> None:
    """The console's address first; the demo tokens go to a file, not the screen."""
    from hub.auth.dev_issuer import DevIssuer
    from hub.demo import network

    issuer = DevIssuer(settings.data_dir, audience=settings.oidc_audience)
    base = f"http://{settings.host}:{settings.port}"
    tokens = settings.data_dir / "demo-tokens.txt"
    written = ["# demo tokens (12 h), one per organisation: 'Authorization: Bearer <token>'"]
    for org in network.ORGANISATIONS:
        role = network.EXAMPLE_ROLES[org.id]
        sub = network.GUARDIAN_SUBS[0] if role == "guardian" else f"{role}@{org.id}"
        token = issuer.issue(sub=sub, org=org.id, roles=[role], ttl=12 * 3600)
        written += [f"# {org.name} ({role})", f"{org.id}={token}"]
    tokens.write_text("\n".join(written) + "\n")
    tokens.chmod(0o600)
    lines = [
        "",
        f"  Open the console:  {base}/console/   (sign in as any demo organisation)",
        "",
        f"  GraphQL:  {base}/graphql   GraphiQL: {base}/graphiql",
        f"  Health:   {base}/healthz   {base}/readyz",
        f"  Tokens:   {tokens}   (one per organisation, 12 h)",
        f"  More:     hub token --org stockholm --role caseworker --data-dir {settings.data_dir}",
        "  Stop with Ctrl-C.",
        "",
    ]
    print("\n".join(lines), file=sys.stderr)


def _explain(args: argparse.Namespace) -> int:
    """Whether the compiled read path answers a document, or where it falls back."""
    import json

    from graphql import GraphQLError, parse

    from hub.graphql.compiled.executor import explain
    from hub.graphql.schema import build_schema

    if not args.document:
        raise ConfigurationError("explain needs a DOCUMENT: a .graphql file, or - for stdin")
    try:
        text = sys.stdin.read() if args.document == "-" else Path(args.document).read_text()
        variables = json.loads(args.variables) if args.variables else None
        document = parse(text)
    except (OSError, ValueError, GraphQLError) as bad:
        raise ConfigurationError(f"cannot read the document or its variables: {bad}") from None
    why = explain(build_schema()._schema, document, args.operation, variables)
    if why is None:
        print("compiled: one statement per root field")
        return 0
    print(f"stock path: {why}")
    return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "schema" and args.action == "explain":
        return _explain(args)
    if args.command == "schema":
        from hub.graphql.schema import SDL_PATH, export_sdl

        sdl = export_sdl()
        if args.action == "export":
            SDL_PATH.write_text(sdl)
            print(f"wrote {SDL_PATH}", file=sys.stderr)
            return 0
        if SDL_PATH.read_text() != sdl:
            print(f"{SDL_PATH} is out of date; run: hub schema export", file=sys.stderr)
            return 1
        return 0

    if args.command == "policy":
        from hub.policy import cli as policy_cli

        if args.policy_command == "check":
            return policy_cli.check()
        if args.policy_command == "matrix":
            return policy_cli.table(args.write)
        if args.policy_command in ("status", "review", "diff"):
            return policy_cli.versions_command(args)
        with database(_settings(args)) as url:
            return asyncio.run(policy_cli.explain(url, args))

    settings = _settings(args)
    if args.command in ("audit", "retention"):
        from hub.audit import cli as audit_cli

        with database(settings) as url:
            if args.command == "audit":
                return asyncio.run(audit_cli.verify(settings, url))
            return asyncio.run(audit_cli.retention(settings, url, args))

    if args.command == "token":
        if not settings.dev_issuer_enabled:
            raise ConfigurationError("hub token needs HUB_ENV=dev: prod trusts only your IdP")
        from hub.auth.dev_issuer import DevIssuer

        issuer = DevIssuer(settings.data_dir, audience=settings.oidc_audience)
        sub = args.sub or f"{args.role[0]}@{args.org}"
        if args.ttl <= 0 or args.ttl > 7 * 24 * 3600:
            raise ConfigurationError("--ttl must be between 1 and 604800 seconds")
        print(
            issuer.issue(
                sub=sub,
                org=args.org,
                roles=args.role,
                ttl=args.ttl,
                purpose=args.purpose,
                name=args.name,
            )
        )
        return 0

    if args.command == "migrate":
        with database(settings) as url:
            asyncio.run(_migrate(url, status_only=args.status))
        return 0

    simulate = getattr(args, "simulate", False)
    if simulate and not 0.1 <= args.pace <= 3600:
        raise ConfigurationError("--pace must be between 0.1 and 3600 seconds")
    sock = _bind(settings)  # fail fast, before starting anything, if the port is taken
    with database(settings) as url:
        asyncio.run(_migrate(url))
        if args.command == "demo":
            asyncio.run(_seed(url))
            _print_demo_banner(settings)
        _serve(settings, url, sock, pace=args.pace if simulate else None)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except ConfigurationError as exc:
        print(f"hub: error: {exc}", file=sys.stderr)
        return 2
