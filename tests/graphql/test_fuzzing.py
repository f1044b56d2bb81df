"""Schema fuzzing with schemathesis: generated operations against a running hub get coded
errors or data, never a 5xx, an internal error, a traceback or an oversized response, and
the hub logs no error while it answers them."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import threading
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st

from hub.auth.dev_issuer import DevIssuer
from tests.graphql.generated import fixed
from tests.processes import start_hub, wait_ready

EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES", "300"))
MAX_RESPONSE = 2 << 20


class FuzzedHub:
    """A `hub serve` of its own, logging errors only, as JSON; its log records are kept as
    they come (read on a thread, so a full pipe never blocks the hub). Other lines (the
    dev issuer's notice at start) are not records."""

    def __init__(self, db_url: str) -> None:
        data_dir = Path(tempfile.mkdtemp(prefix="hub-fuzz-"))
        self.process, self.base = start_hub(
            db_url, data_dir, HUB_LOG_LEVEL="ERROR", HUB_LOG_FORMAT="json"
        )
        self.logged: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self.token = DevIssuer(data_dir, audience="hub").issue(
            sub="fuzz", org="stockholm", roles=["caseworker"], ttl=3600
        )

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                record = json.loads(line)
                self.logged.append(f"{record.get('logger')}: {record.get('message')}")

    async def start(self) -> None:
        await wait_ready(self.base, self.process)  # reads the output itself if it exits
        self._reader.start()

    async def stop(self) -> list[str]:
        """Stop it (again: no harm); what it logged."""
        if self.process.poll() is None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait, 30)
        if self._reader.ident is not None:  # started: it reads on to the end of the output
            await asyncio.to_thread(self._reader.join, 30)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.logged


@pytest.fixture
async def hub_process(db_url: str) -> AsyncIterator[FuzzedHub]:
    """A `hub serve` of its own: schemathesis calls it synchronously from this process."""
    hub = FuzzedHub(db_url)
    try:
        await hub.start()
        yield hub
    finally:
        await hub.stop()


def _problems(status: int, body: Any, size: int) -> list[str]:
    found = []
    if status >= 500:
        found.append(f"status {status}")
    if size > MAX_RESPONSE:
        found.append(f"{size} bytes")
    errors = body.get("errors") or [] if isinstance(body, dict) else ["not a JSON object"]
    for error in errors:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if code is None or code == "INTERNAL":
            found.append(f"error without a client code: {error}")
        if "Traceback" in str(error) or 'File "' in str(error):
            found.append("a traceback reached the client")
    return found


def _outcome(body: Any) -> str:
    if isinstance(body, dict) and body.get("data") and not body.get("errors"):
        return "data"
    errors = body.get("errors") if isinstance(body, dict) else None
    return str((errors[0].get("extensions") or {}).get("code")) if errors else "empty"


async def test_fuzzed_operations_get_coded_answers_and_log_no_error(
    hub_process: FuzzedHub,
) -> None:
    base, token = hub_process.base, hub_process.token
    auth = {"authorization": f"Bearer {token}"}
    schema = schemathesis.graphql.from_url(f"{base}/graphql", headers=auth)
    seen: list[str] = []
    outcomes: Counter[str] = Counter()

    @fixed(EXAMPLES)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(schema.as_strategy())
        response = case.call(headers=auth, timeout=30)
        body = response.json() if response.content else None
        seen.append(case.operation.label)
        outcomes[_outcome(body)] += 1
        problems = _problems(response.status_code, body, len(response.content))
        assert not problems, (case.body, problems)

    await asyncio.to_thread(check)
    assert await hub_process.stop() == []  # refusing bad input is no error of the hub's
    assert len(set(seen)) >= 20, "the fuzzer reached too few operations"
    # not every case refused up front: most of the schema's 30 mutations need ids that exist,
    # so fewer answers carry data as it grows (25 of 300 with the first hour's mutations)
    assert outcomes["data"] > EXAMPLES // 20, outcomes
