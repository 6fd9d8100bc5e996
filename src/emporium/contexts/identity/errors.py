"""Identity's failures, each with the stable code of API.md's error table."""

from __future__ import annotations

from emporium.kernel.errors import AuthenticationFailed, Conflict, NotFound


class EmailTaken(Conflict):
    default_message = "An account with this email already exists"


class RefreshTokenInvalid(AuthenticationFailed):
    default_message = "The refresh token is not valid"


class RefreshTokenReused(AuthenticationFailed):
    default_message = (
        "This refresh token was already used; every session it belonged to has been signed out"
    )


class ApiKeyInvalid(AuthenticationFailed):
    default_message = "The API key is not valid"


class ApiKeyNotFound(NotFound):
    default_message = "API key not found"


class UserNotFound(NotFound):
    default_message = "User not found"
