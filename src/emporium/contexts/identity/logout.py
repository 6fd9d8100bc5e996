"""Log out: revoke the refresh-token family of the session being closed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from emporium.contexts.identity.events import UserLoggedOut
from emporium.contexts.identity.models import RefreshToken
from emporium.contexts.identity.tokens import hash_secret, revoke_family
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class LogOut:
    refresh_token: str | None = None


async def log_out(cmd: LogOut, *, uow: UnitOfWork) -> None:
    """Revoke the family of cmd.refresh_token; unknown or missing tokens are a quiet no-op."""
    if not cmd.refresh_token:
        return
    async with uow:
        token = await uow.session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == hash_secret(cmd.refresh_token))
        )
        if token is None or token.revoked_at is not None:
            return
        await revoke_family(uow.session, token.family_id, now=uow.clock.now())
        uow.record(UserLoggedOut(user_id=token.user_id, family_id=token.family_id))
        await uow.commit()
