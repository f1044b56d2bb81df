"""Scenario 6: `hub demo` from nothing to ready, and again on the same data directory.

Cold: a new data directory, so the embedded PostgreSQL cluster is initialised, migrated
and seeded. Warm: the same directory again (the server starts, nothing to migrate, the
seed finds its rows). Timed from spawning the process to the first 200 from /readyz.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.harness import free_port


async def _ready_after(data_dir: Path) -> float:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: ASYNC220 - timing the spawn is the point
        [sys.executable, "-m", "hub", "demo", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient() as http:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"hub demo exited with {process.returncode}")
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.05)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.to_thread(process.wait, 60)


async def run() -> str:
    data_dir = Path(tempfile.mkdtemp(prefix="hub-bench-start-")) / "demo"
    cold = await _ready_after(data_dir)
    warm = await _ready_after(data_dir)
    return "\n".join(
        [
            "## Scenario 6: start-up of `hub demo`",
            "",
            "| start | seconds to ready |",
            "|---|---|",
            f"| cold: new data directory (initdb, migrations, seed) | {cold:.1f} |",
            f"| warm: the same directory again | {warm:.1f} |",
        ]
    )
