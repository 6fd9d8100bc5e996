"""One pure-ASGI middleware for every request: id, body limit, headers, metrics, logs, last resort.

Pure ASGI (not BaseHTTPMiddleware) keeps the per-request overhead to a few microseconds.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emporium.kernel.http.envelope import error_body, request_id_var
from emporium.kernel.metrics import Metrics

log = structlog.get_logger("emporium.http")

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
]
# The interactive docs page loads its script and styles from a CDN.
_DOCS_PATHS = ("/docs", "/redoc")


class _TooLarge(Exception):
    pass


def _json_bytes(body: dict[str, Any]) -> bytes:
    import json

    return json.dumps(body, separators=(",", ":")).encode()


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: Metrics,
        max_body_bytes: int,
        now: Callable[[], Any],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else f"req-{uuid.uuid4().hex}"
        token = request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}
        rid = request_id.encode("latin-1")
        path = scope.get("path", "")
        extra_headers = [(b"x-request-id", rid)]
        extra_headers += [
            h
            for h in SECURITY_HEADERS
            if not (path.startswith(_DOCS_PATHS) and h[0] == b"content-security-policy")
        ]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + extra_headers
            await send(message)

        try:
            receive = await self._limit_body(scope, headers, receive)
            await self.app(scope, receive, send_wrapper)
        except _TooLarge:
            await self._send_error(
                send_wrapper, 413, "PAYLOAD_TOO_LARGE", "The request body is larger than 1 MB"
            )
        except Exception as exc:  # the last resort: never a stack trace to the client
            log.error("unhandled_exception", exc_info=exc, path=path)
            if not status_holder["started"]:
                await self._send_error(
                    send_wrapper, 500, "INTERNAL_ERROR", "An unexpected error occurred"
                )
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            status = int(status_holder["status"])
            self.metrics.observe_request(scope.get("method", ""), template, status, elapsed)
            log.info(
                "request",
                method=scope.get("method"),
                path=path,
                route=template,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(token)

    async def _limit_body(
        self, scope: Scope, headers: dict[bytes, bytes], receive: Receive
    ) -> Receive:
        length = headers.get(b"content-length")
        if length is not None:
            try:
                if int(length) > self.max_body_bytes:
                    raise _TooLarge
            except ValueError:
                raise _TooLarge from None
            return self._counting(receive)
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            return receive
        # No length given (chunked): read it all now, up to the limit, then replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _counting(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body_bytes

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # the client sent more than it declared
                    raise _TooLarge
            return message

        return counted

    async def _send_error(self, send: Send, status: int, code: str, message: str) -> None:
        body = _json_bytes(error_body(code, message, timestamp=self.now()))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
