"""Log in with email and password: a new session (refresh-token family) and an access token."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from emporium.contexts.identity.events import UserLoggedIn
from emporium.contexts.identity.models import User
from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.tokens import TokenIssuer, TokenPair
from emporium.kernel.errors import InvalidCredentials
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class LogIn:
    email: str
    password: str


async def log_in(
    cmd: LogIn, *, uow: UnitOfWork, passwords: Passwords, tokens: TokenIssuer
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
        await uow.commit()
    return pair
