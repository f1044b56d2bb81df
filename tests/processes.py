"""`hub serve` in a process of its own, for tests that need the real command line (its
logging and telemetry set-up) or call the hub synchronously."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import free_socket


def start_hub(db_url: str, data_dir: Path, **env: str) -> tuple[subprocess.Popen[str], str]:
    """The process (stdout and stderr together, as text) and its base URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "OTEL_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve", "--port", str(port)],
        env=clean
        | {"HUB_ENV": "dev", "HUB_DATABASE_URL": db_url, "HUB_DATA_DIR": str(data_dir)}
        | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, f"http://127.0.0.1:{port}"


async def wait_ready(base: str, process: subprocess.Popen[str], within: float = 60) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(int(within * 10)):
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"hub serve exited {process.returncode}: {output[-2000:]}")
            try:
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"hub serve was not ready within {within:.0f} s")
