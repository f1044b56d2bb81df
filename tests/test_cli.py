"""The `hub` command: expected failures are one clear line and a non-zero exit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def _hub(
    *args: str, env: dict[str, str] | None = None, timeout: int = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("hub: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", ["serve", "demo", "migrate", "token", "schema"])
def test_every_subcommand_has_help(command: str) -> None:
    result = _hub(command, "--help")
    assert result.returncode == 0
    assert "usage: hub" in result.stdout


def test_an_unknown_environment_value_is_one_clear_line() -> None:
    line = _one_error_line(_hub("migrate", "--status", env={"HUB_ENV": "staging"}))
    assert "HUB_ENV='staging' is not one of: dev, prod" in line


def test_a_malformed_database_url_is_one_clear_line() -> None:
    line = _one_error_line(_hub("migrate", env={"HUB_DATABASE_URL": "mysql://x/y"}))
    assert "HUB_DATABASE_URL must start with postgres:// or postgresql://" in line


def test_an_unreachable_database_is_one_clear_line_without_the_password() -> None:
    url = "postgresql://hub:s3cret@127.0.0.1:9/hub"
    line = _one_error_line(_hub("migrate", env={"HUB_DATABASE_URL": url}))
    assert "cannot connect to PostgreSQL" in line
    assert "s3cret" not in line


def test_a_retired_setting_is_named_rather_than_ignored() -> None:
    result = _hub("migrate", env={"HUB_PLANNED": "0", "HUB_DATABASE_URL": "mysql://x/y"})
    assert "hub: HUB_PLANNED is no longer read: the planned executor was removed" in (result.stderr)
    assert "HUB_FAST_EXECUTOR" not in result.stderr  # only what the environment sets
    _one_error_line(result)  # and the run goes on to its own verdict


def test_prod_without_an_issuer_refuses_to_start() -> None:
    line = _one_error_line(_hub("serve", env={"HUB_ENV": "prod"}))
    assert "HUB_OIDC_ISSUER" in line


def test_serve_is_prod_unless_told_so_and_hands_out_no_tokens() -> None:
    line = _one_error_line(_hub("serve"))
    assert "HUB_ENV=prod (prod is the default of hub serve) needs HUB_OIDC_ISSUER" in line


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "hub.example", "::"])
def test_dev_refuses_to_listen_beyond_loopback(host: str) -> None:
    line = _one_error_line(_hub("serve", "--host", host, env={"HUB_ENV": "dev"}))
    assert f"loopback only, not {host}" in line
    line = _one_error_line(_hub("demo", "--host", host))
    assert "loopback only" in line


def test_a_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _one_error_line(
            _hub(
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path),
                env={"HUB_ENV": "dev", "HUB_DATABASE_URL": "postgresql://u@127.0.0.1:9/x"},
            )
        )
    assert f"port {port} on 127.0.0.1 is in use" in line


def test_token_in_prod_is_refused() -> None:
    line = _one_error_line(
        _hub(
            "token",
            "--org",
            "nacka",
            "--role",
            "caseworker",
            env={"HUB_ENV": "prod", "HUB_OIDC_ISSUER": "https://idp.example"},
        )
    )
    assert "HUB_ENV=dev" in line


def test_migrate_status_lists_applied_migrations(db_url: str) -> None:
    result = _hub("migrate", "--status", env={"HUB_DATABASE_URL": db_url})
    assert result.returncode == 0, result.stderr
    assert "applied  0001_core.sql" in result.stdout
    assert "pending" not in result.stdout


def test_a_changed_migration_stops_migrate_with_one_line(db_url: str) -> None:
    import asyncio

    import asyncpg

    async def tamper() -> None:
        conn = await asyncpg.connect(db_url)
        await conn.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
        await conn.close()

    asyncio.run(tamper())
    line = _one_error_line(_hub("migrate", env={"HUB_DATABASE_URL": db_url}))
    assert "0001_core.sql was changed after it was applied" in line


def test_policy_check_reports_the_rule_counts() -> None:
    result = _hub("policy", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("policies ok:")


def test_policy_explain_prints_each_decision_with_its_rule(db_url: str) -> None:
    from hub.demo.seed import _id

    result = _hub(
        "policy",
        "explain",
        "--org",
        "stadsmissionen",
        "--child",
        str(_id("child", 17)),
        env={"HUB_DATABASE_URL": db_url},
    )
    assert result.returncode == 0, result.stderr
    assert "stadsmissionen (NGO) as none; case state REPORTED_MISSING" in result.stdout
    assert "DENY  HEALTH            sharing.csv:" in result.stdout
    assert "shared only with the guardian's consent" in result.stdout


def test_a_simulation_pace_out_of_range_is_one_clear_line() -> None:
    line = _one_error_line(_hub("demo", "--simulate", "--pace", "0"))
    assert "--pace" in line


def test_schema_explain_says_whether_the_compiled_path_answers_a_document(tmp_path: Path) -> None:
    board = tmp_path / "board.graphql"
    board.write_text("query B($id: ID!) { case(id: $id) { status child { givenName } } }")
    compiled = _hub("schema", "explain", str(board), "--variables", '{"id": "x"}')
    assert compiled.returncode == 0, compiled.stderr
    assert compiled.stdout.strip() == "compiled: one statement per root field"
    events = tmp_path / "events.graphql"
    events.write_text("{ cases(first: 5) { edges { node { events { type } } } } }")
    stock = _hub("schema", "explain", str(events))
    assert stock.returncode == 1
    assert stock.stdout.strip() == "stock path: Case.events"


def test_schema_explain_of_an_unreadable_document_is_one_clear_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.graphql"
    broken.write_text("{ cases(first: ")
    assert "cannot read the document" in _one_error_line(_hub("schema", "explain", str(broken)))
