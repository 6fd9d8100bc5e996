"""Exception handlers that map every failure to the error envelope; never a stack trace."""

from __future__ import annotations

from typing import Any

import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from emporium.kernel.errors import DomainError
from emporium.kernel.http.envelope import error_response

log = structlog.get_logger("emporium.http")

_STATUS_CODES = {
    400: ("VALIDATION_ERROR", "The request could not be read"),
    401: ("AUTHENTICATION_ERROR", "Authentication is required"),
    403: ("AUTHORIZATION_ERROR", "You are not allowed to do this"),
    404: ("NOT_FOUND", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    409: ("CONFLICT", "The request conflicts with the current state"),
    413: ("PAYLOAD_TOO_LARGE", "The request body is larger than 1 MB"),
    415: ("VALIDATION_ERROR", "Unsupported media type"),
    422: ("VALIDATION_ERROR", "The request is not valid"),
    429: ("RATE_LIMITED", "Too many requests"),
    503: ("SERVICE_UNAVAILABLE", "A dependency is unavailable; retry later"),
}


def _now(request: Request) -> Any:
    runtime = getattr(request.app.state, "runtime", None)
    return runtime.clock.now() if runtime is not None else None


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        location = loc[0] if loc else "body"
        fields.append(
            {
                "field": ".".join(loc[1:]) or location,
                "location": location,
                "message": str(err.get("msg", "invalid")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return fields


async def handle_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_response(
        exc.status,
        exc.code,
        exc.message,
        details=exc.details,
        headers=exc.headers or None,
        timestamp=_now(request),
    )


async def handle_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = _field_errors(exc)
    if any(f["type"] == "json_invalid" for f in fields):
        return error_response(
            400,
            "VALIDATION_ERROR",
            "The request body is not valid JSON",
            details={"fields": [f for f in fields if f["type"] == "json_invalid"]},
            timestamp=_now(request),
        )
    return error_response(
        422,
        "VALIDATION_ERROR",
        "The request is not valid",
        details={"fields": fields},
        timestamp=_now(request),
    )


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _STATUS_CODES.get(exc.status_code, ("HTTP_ERROR", "Request failed"))
    if isinstance(exc.detail, str) and exc.status_code not in (404, 405):
        message = exc.detail
    return error_response(
        exc.status_code,
        code,
        message,
        headers=dict(exc.headers) if exc.headers else None,
        timestamp=_now(request),
    )


async def handle_pool_timeout(request: Request, exc: Exception) -> Response:
    """Every connection busy for the whole pool timeout: overloaded, so say when to retry."""
    log.warning("database_pool_exhausted", path=request.url.path)
    return error_response(
        503,
        "SERVICE_UNAVAILABLE",
        "The service is busy; retry shortly",
        headers={"Retry-After": "1"},
        timestamp=_now(request),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)
    app.add_exception_handler(sqlalchemy.exc.TimeoutError, handle_pool_timeout)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    # Unexpected exceptions are answered by RequestContextMiddleware, inside Starlette's
    # ServerErrorMiddleware, so they never escape as a bare 500.
