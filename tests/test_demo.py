"""`hub demo` from nothing: embedded PostgreSQL, migrations, seed, server, tokens; Ctrl-C
stops it all cleanly, and a second run reuses the data directory."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.conftest import free_socket


def _start_demo(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "demo", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_ready(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the demo did not become ready in 90 s")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


def test_the_demo_serves_seeded_cases_and_stops_cleanly_and_restarts() -> None:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    # not pytest's tmp_path: pytest prunes old runs' directories, and the embedded server
    # (run as its own user when we are root) must not lose its cluster to a parallel run
    data_dir = Path(tempfile.mkdtemp(prefix="hub-demo-")) / "demo"
    process = _start_demo(data_dir, port)
    try:
        _wait_ready(port, process)  # the banner is printed before the server is ready
    finally:
        output = _stop(process)
    banner = output[output.index("  Open the console:") :]
    assert banner.index(f":{port}/console/") < banner.index("GraphQL:"), output
    assert "eyJ" not in output  # tokens go to a file, not the screen
    written = (data_dir / "demo-tokens.txt").read_text()
    tokens = re.findall(r"^polisen-stockholm=(\S+)$", written, re.MULTILINE)
    assert tokens, written
    assert (data_dir / "demo-tokens.txt").stat().st_mode & 0o077 == 0
    assert "Traceback" not in output
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "PostgreSQL kept running"

    again = _start_demo(data_dir, port)
    try:
        _wait_ready(port, again)
        response = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ cases(first: 50) { totalCount } }"},
            headers={"authorization": f"Bearer {tokens[0]}"},
            timeout=10,
        )
    finally:
        output = _stop(again)
    assert response.json() == {"data": {"cases": {"totalCount": 10}}}
