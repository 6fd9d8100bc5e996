"""Log in with email and password: a new session (refresh-token family) and an access token."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import select

from emporium.contexts.identity.events import UserLoggedIn
from emporium.contexts.identity.models import User
from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.tokens import TokenIssuer, TokenPair
from emporium.kernel.errors import DomainError, InvalidCredentials
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.identity")

# Run in the login's transaction (another context's reaction, e.g. merging a guest cart).
AfterLogin = Callable[[UnitOfWork, uuid.UUID], Awaitable[None]]


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str


async def log_in(
    cmd: LogIn,
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    tokens: TokenIssuer,
    after: Sequence[AfterLogin] = (),
) -> TokenPair:
    """Tokens for the account; 401 INVALID_CREDENTIALS, alike for every kind of miss."""
    email = cmd.email.strip().lower()
    async with uow.db.read() as session:
        found = (
            await session.execute(
                select(User.id, User.password_hash, User.disabled_at).where(User.email == email)
            )
        ).first()
    # Verify outside any transaction (argon2 is slow), and against a dummy hash when the
    # account is unknown, so timing does not tell which emails are registered.
    matches = await passwords.verify(found.password_hash if found else None, cmd.password)
    if found is None or not matches or found.disabled_at is not None:
        raise InvalidCredentials("Email or password is wrong")
    rehash = passwords.needs_rehash(found.password_hash)
    new_hash = await passwords.hash(cmd.password) if rehash else None
    async with uow:
        user = await uow.session.get(User, found.id)
        if user is None:  # deleted between the two transactions
            raise InvalidCredentials("Email or password is wrong")
        if new_hash is not None:
            user.password_hash = new_hash
        pair = tokens.issue_pair(uow.session, user)
        uow.record(UserLoggedIn(user_id=user.id, family_id=pair.family_id))
        for hook in after:
            await _run_hook(hook, uow, user.id)
        await uow.commit()
    return pair


async def _run_hook(hook: AfterLogin, uow: UnitOfWork, user_id: uuid.UUID) -> None:
    """A hook that refuses (a domain error) is undone alone: the login itself still succeeds."""
    try:
        async with uow.savepoint():
            await hook(uow, user_id)
    except DomainError as exc:
        log.warning("login_hook_refused", user_id=str(user_id), code=exc.code, error=exc.message)
