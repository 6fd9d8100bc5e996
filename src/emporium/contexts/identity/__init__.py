"""Identity: accounts, roles, sessions (JWT + rotating refresh tokens) and API keys.

What other contexts may use: the events (`UserRegistered` carries a seller's `vendor_name`
for the catalog), `attach_vendor` (the catalog links a seller to the vendor it created),
`get_user`/`find_user_by_email` (a user's email, name, role and vendor), and `create_admin`
(the CLI and demo data). Functions taking a unit of work never commit: the caller does.
"""

from __future__ import annotations

import uuid

from emporium.contexts.identity.api import (
    LOGIN_HOOKS,
    LOGIN_LIMITER,
    PASSWORDS,
    TOKENS,
    LoginHook,
    router,
)
from emporium.contexts.identity.authenticator import IdentityAuthenticator
from emporium.contexts.identity.create_admin import create_admin, create_user
from emporium.contexts.identity.errors import EmailTaken, UserNotFound
from emporium.contexts.identity.events import (
    ApiKeyCreated,
    ApiKeyRevoked,
    RefreshTokenReuseDetected,
    UserLoggedIn,
    UserLoggedOut,
    UserRegistered,
    VendorAttached,
)
from emporium.contexts.identity.models import User
from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.queries import UserRead, find_user_by_email, get_user
from emporium.contexts.identity.tokens import TokenIssuer
from emporium.kernel.http.auth import AUTHENTICATOR, Role
from emporium.kernel.ratelimit import RateLimiter
from emporium.kernel.runtime import Runtime
from emporium.kernel.uow import UnitOfWork

__all__ = [
    "LOGIN_HOOKS",
    "PASSWORDS",
    "ApiKeyCreated",
    "ApiKeyRevoked",
    "EmailTaken",
    "LoginHook",
    "RefreshTokenReuseDetected",
    "Role",
    "UserLoggedIn",
    "UserLoggedOut",
    "UserNotFound",
    "UserRead",
    "UserRegistered",
    "VendorAttached",
    "attach_vendor",
    "create_admin",
    "create_user",
    "find_user_by_email",
    "get_user",
    "router",
    "wire",
]


async def attach_vendor(uow: UnitOfWork, user_id: uuid.UUID, vendor_id: uuid.UUID) -> None:
    """Link a seller to their vendor inside the caller's unit of work (the caller commits)."""
    user = await uow.session.get(User, user_id, with_for_update=True)
    if user is None:
        raise UserNotFound(details={"user_id": str(user_id)})
    user.attach_vendor(vendor_id)


def wire(runtime: Runtime, *, login_limiter: RateLimiter) -> None:
    """Register identity's services: token issuer, password hashing, authenticator, limiter."""
    settings = runtime.settings
    tokens = TokenIssuer(
        secret=settings.resolved_secret_key(),
        access_ttl_seconds=settings.access_token_ttl_seconds,
        refresh_ttl_seconds=settings.refresh_token_ttl_seconds,
        clock=runtime.clock,
    )
    runtime.provide(TOKENS, tokens)
    runtime.provide(
        PASSWORDS,
        Passwords(
            time_cost=settings.password_hash_time_cost,
            memory_kib=settings.password_hash_memory_kib,
        ),
    )
    runtime.provide(LOGIN_LIMITER, login_limiter)
    runtime.provide(
        AUTHENTICATOR, IdentityAuthenticator(tokens=tokens, db=runtime.db, clock=runtime.clock)
    )
