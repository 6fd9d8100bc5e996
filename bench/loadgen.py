"""A light HTTP/1.1 load generator: keep-alive GETs over raw asyncio streams.

httpx spends more CPU per request than the storefront server does, so on this two-core
machine it, not the server, becomes the queue at 8 clients. This client does only what a
benchmark needs: it writes a prebuilt request, reads the status line and headers, and
reads exactly Content-Length bytes of body (the API never answers a GET in chunks). It
checks the status of every answer and nothing else; use httpx where the body matters.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import quote, urlsplit


class LoadError(RuntimeError):
    """An answer that was not 200, or a connection that ended mid-answer."""


class Connection:
    """One keep-alive connection; `get` sends one request and waits for its whole answer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self._reader = reader
        self._writer = writer
        self._host = host

    @classmethod
    async def open(cls, base_url: str) -> Connection:
        parts = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        return cls(reader, writer, parts.netloc)

    async def get(self, path: str) -> int:
        """GET path; the status code (200 expected; anything else raises LoadError)."""
        target = quote(path, safe="/?&=+:,%")  # what a browser sends for "pokémon"
        self._writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self._host}\r\nAccept: */*\r\n\r\n".encode()
        )
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
                break
        body = await self._reader.readexactly(length)
        if status != 200:
            raise LoadError(f"{path}: {status} {body[:200]!r}")
        return status

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()


async def drive(base_url: str, paths: list[str], concurrency: int) -> tuple[list[float], float]:
    """GET every path with `concurrency` connections; latencies (ms) and wall time (s)."""
    queue = list(reversed(paths))
    latencies: list[float] = []
    connections = [await Connection.open(base_url) for _ in range(concurrency)]

    async def worker(connection: Connection) -> None:
        while queue:
            path = queue.pop()
            started = time.perf_counter()
            await connection.get(path)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(each) for each in connections))
    finally:
        for each in connections:
            await each.close()
    return latencies, time.perf_counter() - started
