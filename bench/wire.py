"""A lean HTTP/1.1 client for load runs: one keep-alive connection per simulated user.

httpx spends about a millisecond of Python per request; with 200 users on the two cores
the load generator shares with the hubs it, not the hubs, was the bottleneck. This client
writes the request bytes itself and reads a Content-Length response, nothing more.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class WireError(Exception):
    pass


class Connection:
    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "", parts.port or 80, parts.path
        self._head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        ).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def post(self, body: dict[str, Any]) -> tuple[int, Any]:
        """Status and decoded JSON body. A kept-alive connection the server has closed
        meanwhile (uvicorn drops idle ones after 5 s) is reopened once."""
        payload = json.dumps(body).encode()
        request = self._head + b"Content-Length: %d\r\n\r\n" % len(payload) + payload
        reused = self._reader is not None
        try:
            return await self._exchange(request)
        except WireError:
            if not reused:
                raise
        return await self._exchange(request)

    async def _exchange(self, request: bytes) -> tuple[int, Any]:
        reader, writer = await self._open()
        writer.write(request)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            await self.close()
            raise WireError(type(exc).__name__) from exc
        status = int(head[9:12])
        length = None
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"connection" and value.strip().lower() == b"close":
                close = True
        if length is None:
            await self.close()
            raise WireError("no Content-Length")
        data = await reader.readexactly(length)
        if close:
            await self.close()
        return status, json.loads(data) if data else None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
