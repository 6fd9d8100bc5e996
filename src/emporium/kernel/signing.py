"""Signed webhooks: `Emporium-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.

The timestamp is inside the signed text, so an old delivery cannot be replayed with a fresh
`t`; the receiver refuses signatures further than the tolerance from its own (injected) clock.
Used by the sandbox gateway and carrier to sign, and by the webhook endpoints to verify.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from emporium.kernel.errors import BadRequest

SIGNATURE_HEADER = "Emporium-Signature"
TOLERANCE_SECONDS = 300
# The runtime service through which outgoing webhooks travel: tests put the app's own ASGI
# transport here; absent, httpx uses the network.
OUTBOUND_TRANSPORT = "http.outbound_transport"

M = TypeVar("M", bound=BaseModel)


class BadSignature(BadRequest):
    default_message = "The webhook signature is missing, wrong or too old"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under secret."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, at: datetime) -> str:
    """The Emporium-Signature header value for body, signed at time `at`."""
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str | None,
    body: bytes,
    *,
    now: datetime,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Raise BadSignature unless header signs body with secret within tolerance of now."""
    if not header:
        raise BadSignature(f"The {SIGNATURE_HEADER} header is missing")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise BadSignature("The signature has no valid timestamp") from None
    if abs(now.timestamp() - timestamp) > tolerance:
        raise BadSignature(
            "The signature is too old (or from the future)",
            details={"tolerance_seconds": tolerance},
        )
    expected = signature(secret, timestamp, body)
    # Several v1 values are allowed while a secret is being rotated.
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise BadSignature("The signature does not match the body")


def verified_body(
    model: type[M], body: bytes, *, secret: str, header: str | None, now: datetime
) -> M:
    """The signed body parsed as model; 400 VALIDATION_ERROR for a bad signature or shape."""
    verify(secret, header, body, now=now)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        fields = [
            {"field": ".".join(map(str, err["loc"])), "message": err["msg"]} for err in exc.errors()
        ]
        raise BadRequest("The webhook body is malformed", details={"fields": fields}) from None


async def post_signed(
    url: str,
    body: bytes,
    *,
    secret: str,
    at: datetime,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_seconds: float = 10.0,
) -> int:
    """POST a signed JSON body to url; returns the HTTP status (raises on network errors)."""
    headers = {"content-type": "application/json", SIGNATURE_HEADER: sign(secret, body, at=at)}
    async with httpx.AsyncClient(transport=transport, timeout=timeout_seconds) as client:
        response = await client.post(url, content=body, headers=headers)
    return response.status_code
