"""Refresh: trade a refresh token for a new pair; a token used twice revokes its family."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from emporium.contexts.identity.errors import RefreshTokenInvalid, RefreshTokenReused
from emporium.contexts.identity.events import RefreshTokenReuseDetected
from emporium.contexts.identity.models import RefreshToken, User
from emporium.contexts.identity.tokens import TokenIssuer, TokenPair, hash_secret, revoke_family
from emporium.kernel.errors import TokenExpired
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class RefreshSession:
    refresh_token: str


async def refresh(cmd: RefreshSession, *, uow: UnitOfWork, tokens: TokenIssuer) -> TokenPair:
    """A new access and refresh token; the presented refresh token stops working."""
    async with uow:
        now = uow.clock.now()
        # Row lock: of two concurrent refreshes with one token, the second sees it used.
        token = await uow.session.scalar(
            select(RefreshToken)
            .where(RefreshToken.token_hash == hash_secret(cmd.refresh_token))
            .with_for_update()
        )
        if token is None or token.revoked_at is not None:
            raise RefreshTokenInvalid()
        if token.used_at is not None:
            # A rotated-out token came back: a thief or the owner holds a copy, and we cannot
            # tell which, so every token of this login stops working.
            await revoke_family(uow.session, token.family_id, now=now)
            uow.record(RefreshTokenReuseDetected(user_id=token.user_id, family_id=token.family_id))
            await uow.commit()
            raise RefreshTokenReused()
        if token.expires_at <= now:
            raise TokenExpired("The refresh token has expired")
        user = await uow.session.get(User, token.user_id)
        if user is None or not user.is_active:
            raise RefreshTokenInvalid()
        pair = tokens.issue_pair(uow.session, user, family_id=token.family_id)
        token.used_at = now
        token.replaced_by = pair.refresh_token_id
        await uow.commit()
    return pair
