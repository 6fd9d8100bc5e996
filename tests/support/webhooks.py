"""Helpers for webhook tests: sign a body as a gateway or carrier would, post it, read events."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI

from emporium.kernel.events import StoredEvent, read_after
from emporium.kernel.runtime import Runtime
from emporium.kernel.signing import OUTBOUND_TRANSPORT, SIGNATURE_HEADER, sign


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


async def post_signed_json(
    client: httpx.AsyncClient,
    path: str,
    body: dict[str, Any] | bytes,
    *,
    secret: str,
    at: datetime,
) -> httpx.Response:
    """POST body (a dict, or raw bytes) signed with secret at time `at`."""
    raw = body if isinstance(body, bytes) else encode(body)
    headers = {"content-type": "application/json", SIGNATURE_HEADER: sign(secret, raw, at=at)}
    return await client.post(path, content=raw, headers=headers)


def route_outbound_to(runtime: Runtime, app: FastAPI) -> None:
    """Let the sandboxes' webhooks reach this app in-process, as they would over the network."""
    runtime.provide(OUTBOUND_TRANSPORT, httpx.ASGITransport(app=app))


async def events_of(runtime: Runtime, *types: str) -> list[StoredEvent]:
    """The events of these types in the log, in order."""
    async with runtime.db.read() as session:
        return await read_after(session, 0, limit=10_000, types=list(types))
