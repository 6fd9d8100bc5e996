"""The one error format: {"error": {"code", "message", "details", "requestId", "timestamp"}}."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse

from emporium.kernel.clock import isoformat

request_id_var: ContextVar[str | None] = ContextVar("emporium_request_id", default=None)


def error_body(
    code: str,
    message: str,
    *,
    details: dict[str, Any] | None = None,
    request_id: str | None = None,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "requestId": request_id if request_id is not None else request_id_var.get(),
            "timestamp": isoformat(timestamp or datetime.now(UTC)),
        }
    }


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timestamp: datetime | None = None,
) -> JSONResponse:
    body = error_body(code, message, details=details, timestamp=timestamp)
    return JSONResponse(body, status_code=status, headers=headers)
