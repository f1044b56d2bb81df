"""Slow clients cannot hold sockets: headers and bodies have deadlines."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import run_hub


async def _open(base_url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    url = urlsplit(base_url)
    assert url.hostname is not None
    assert url.port is not None
    return await asyncio.open_connection(url.hostname, url.port)


async def test_a_client_trickling_its_headers_is_cut_off(db_url: str, data_dir: Path) -> None:
    async with run_hub(db_url, data_dir, header_timeout=1) as hub:
        reader, writer = await _open(hub.base_url)
        writer.write(b"POST /graphql HTTP/1.1\r\nHost: hub\r\n")  # and never the rest
        await writer.drain()
        started = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the hub
        assert time.monotonic() - started < 5
        writer.close()
        assert (await hub.http.get("/healthz")).status_code == 200


async def test_a_client_pausing_its_body_is_answered_408(db_url: str, data_dir: Path) -> None:
    async with run_hub(db_url, data_dir, body_timeout=1) as hub:
        reader, writer = await _open(hub.base_url)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {hub.token('nacka')}\r\n".encode()
            + b'Content-Length: 100\r\n\r\n{"query":'
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408")
        assert b"REQUEST_TIMEOUT" in answer
