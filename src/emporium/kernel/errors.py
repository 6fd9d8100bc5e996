"""The error hierarchy. Domain code raises these; one place maps them to the API envelope."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A failure the client can act on, with a stable code and HTTP status."""

    code: str = "CONFLICT"
    status: int = 409
    default_message: str = "The request conflicts with the current state"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    status = 422
    default_message = "The request is not valid"


class BadRequest(ValidationFailed):
    status = 400
    default_message = "The request could not be read"


class AuthenticationFailed(DomainError):
    code = "AUTHENTICATION_ERROR"
    status = 401
    default_message = "Authentication is required"


class InvalidCredentials(AuthenticationFailed):
    code = "INVALID_CREDENTIALS"
    default_message = "Email or password is wrong"


class TokenExpired(AuthenticationFailed):
    code = "TOKEN_EXPIRED"
    default_message = "The token has expired"


class Forbidden(DomainError):
    code = "AUTHORIZATION_ERROR"
    status = 403
    default_message = "You are not allowed to do this"


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    default_message = "Not found"


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409


class InvalidStateTransition(Conflict):
    code = "INVALID_STATE_TRANSITION"
    default_message = "This action is not allowed in the current state"


class IdempotencyKeyInUse(Conflict):
    code = "IDEMPOTENCY_KEY_IN_USE"
    default_message = "A request with this Idempotency-Key is still being processed"


class IdempotencyKeyReused(ValidationFailed):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was used with a different request"


class PaymentFailed(DomainError):
    code = "PAYMENT_FAILED"
    status = 402
    default_message = "The payment failed"


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    default_message = "The request body is larger than 1 MB"


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    status = 429
    default_message = "Too many requests"


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"
    status = 503
    default_message = "A dependency is unavailable; retry later"
