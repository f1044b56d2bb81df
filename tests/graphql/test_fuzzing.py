"""Schema fuzzing with schemathesis: generated operations against a running hub get coded
errors or data, never a 5xx, an internal error, a traceback or an oversized response."""

from __future__ import annotations

import asyncio
import os
import tempfile
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


@pytest.fixture
async def hub_process(db_url: str) -> AsyncIterator[tuple[str, str]]:
    """A `hub serve` of its own: schemathesis calls it synchronously from this process."""
    data_dir = Path(tempfile.mkdtemp(prefix="hub-fuzz-"))
    process, base = start_hub(db_url, data_dir, HUB_LOG_LEVEL="ERROR")
    try:
        await wait_ready(base, process)
        token = DevIssuer(data_dir, audience="hub").issue(
            sub="fuzz", org="stockholm", roles=["caseworker"], ttl=3600
        )
        yield base, token
    finally:
        process.terminate()
        await asyncio.to_thread(process.communicate, timeout=30)


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


def test_fuzzed_operations_get_coded_answers(hub_process: tuple[str, str]) -> None:
    base, token = hub_process
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

    check()
    assert len(set(seen)) >= 20, "the fuzzer reached too few operations"
    # not every case refused up front: most of the schema's 30 mutations need ids that exist,
    # so fewer answers carry data as it grows (25 of 300 with the first hour's mutations)
    assert outcomes["data"] > EXAMPLES // 20, outcomes
