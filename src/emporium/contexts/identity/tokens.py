"""Access tokens (HS256 JWTs, timed by the injected clock) and refresh-token families."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.identity.models import RefreshToken, User
from emporium.kernel.clock import Clock
from emporium.kernel.errors import AuthenticationFailed, TokenExpired
from emporium.kernel.http.auth import Role
from emporium.kernel.ids import new_id, parse_id

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["sub", "role", "iat", "exp", "jti", "typ"]


def hash_secret(secret: str) -> str:
    """sha256 of a high-entropy secret (refresh token, API key): what the database keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (256 bits), with an optional recognisable prefix."""
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Claims:
    """What a valid access token says about its bearer."""

    user_id: uuid.UUID
    role: Role
    vendor_id: uuid.UUID | None
    token_id: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenPair:
    """A new access token and the refresh token that can renew it."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_token_id: uuid.UUID
    family_id: uuid.UUID


class TokenIssuer:
    """Signs and checks access tokens; issues and revokes refresh tokens."""

    def __init__(
        self, *, secret: str, access_ttl_seconds: int, refresh_ttl_seconds: int, clock: Clock
    ) -> None:
        self._secret = secret
        self.access_ttl = access_ttl_seconds
        self.refresh_ttl = timedelta(seconds=refresh_ttl_seconds)
        self.clock = clock

    def access_token(self, *, user_id: uuid.UUID, role: Role, vendor_id: uuid.UUID | None) -> str:
        """A signed JWT for the user, valid for the access-token TTL from the clock's now."""
        issued = int(self.clock.now().timestamp())
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "role": role.value,
            "vendor_id": str(vendor_id) if vendor_id else None,
            "iat": issued,
            "exp": issued + self.access_ttl,
            "jti": new_id().hex,
            "typ": "access",
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def decode(self, token: str) -> Claims:
        """The claims of a token we signed; 401 TOKEN_EXPIRED or AUTHENTICATION_ERROR else."""
        try:
            # PyJWT would judge exp/iat by the system clock; we judge them by ours below.
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": _REQUIRED_CLAIMS,
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed("The access token is not valid") from exc
        parsed = _parse_claims(claims)
        if parsed.expires_at <= self.clock.now():
            raise TokenExpired("The access token has expired")
        return parsed

    def issue_pair(
        self, session: AsyncSession, user: User, *, family_id: uuid.UUID | None = None
    ) -> TokenPair:
        """An access token and a new refresh token (added to session) in family_id or a new one."""
        now = self.clock.now()
        secret = new_secret()
        token = RefreshToken(
            id=new_id(),
            family_id=family_id or new_id(),
            user_id=user.id,
            token_hash=hash_secret(secret),
            issued_at=now,
            expires_at=now + self.refresh_ttl,
        )
        session.add(token)
        return TokenPair(
            access_token=self.access_token(
                user_id=user.id, role=user.role, vendor_id=user.vendor_id
            ),
            refresh_token=secret,
            expires_in=self.access_ttl,
            refresh_token_id=token.id,
            family_id=token.family_id,
        )


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, *, now: datetime) -> None:
    """Revoke every refresh token of a family that is not revoked yet."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _parse_claims(claims: dict[str, Any]) -> Claims:
    user_id = parse_id(str(claims["sub"]))
    vendor = claims.get("vendor_id")
    vendor_id = parse_id(str(vendor)) if vendor else None
    try:
        role = Role(claims["role"])
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=UTC)
    except (ValueError, TypeError, OverflowError) as exc:
        raise AuthenticationFailed("The access token is not valid") from exc
    if user_id is None or claims["typ"] != "access" or (vendor and vendor_id is None):
        raise AuthenticationFailed("The access token is not valid")
    return Claims(
        user_id=user_id,
        role=role,
        vendor_id=vendor_id,
        token_id=str(claims["jti"]),
        expires_at=expires_at,
    )
