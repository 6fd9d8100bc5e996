"""Identity's Authenticator: who sent a request, by access token (header or cookie) or API key."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import Request
from sqlalchemy import select, update

from emporium.contexts.identity.errors import ApiKeyInvalid
from emporium.contexts.identity.models import ApiKey, User
from emporium.contexts.identity.tokens import TokenIssuer, hash_secret
from emporium.kernel.clock import Clock
from emporium.kernel.db import Database
from emporium.kernel.errors import AuthenticationFailed
from emporium.kernel.http.auth import Principal, Role
from emporium.kernel.uow import UnitOfWork

ACCESS_COOKIE = "access_token"
API_KEY_HEADER = "x-api-key"
API_KEY_PREFIX = "emp_"
# last_used_at is for people reading a key list, so one write a minute per key is plenty.
_TOUCH_EVERY = timedelta(minutes=1)


class IdentityAuthenticator:
    """`X-API-Key`, then `Authorization: Bearer <jwt | emp_…>`, then the `access_token` cookie."""

    def __init__(self, *, tokens: TokenIssuer, db: Database, clock: Clock) -> None:
        self.tokens = tokens
        self.db = db
        self.clock = clock

    async def authenticate(self, request: Request) -> Principal | None:
        """The caller, None without credentials; 401 for bad, expired or revoked ones."""
        api_key = request.headers.get(API_KEY_HEADER)
        if api_key:
            return await self._by_api_key(api_key)
        authorization = request.headers.get("authorization")
        if authorization:
            scheme, _, credential = authorization.partition(" ")
            credential = credential.strip()
            if scheme.lower() != "bearer" or not credential:
                raise AuthenticationFailed("Send credentials as 'Authorization: Bearer <token>'")
            if credential.startswith(API_KEY_PREFIX):
                return await self._by_api_key(credential)
            return await self._by_access_token(credential)
        cookie = request.cookies.get(ACCESS_COOKIE)
        if cookie:
            return await self._by_access_token(cookie)
        return None

    async def _by_access_token(self, token: str) -> Principal:
        claims = self.tokens.decode(token)
        vendor_id = claims.vendor_id
        if claims.role is Role.SELLER and vendor_id is None:
            # The catalog attaches a seller's vendor after the token was issued; look it up
            # rather than make the seller log in again.
            vendor_id = await self._vendor_of(claims.user_id)
        return Principal(user_id=claims.user_id, role=claims.role, vendor_id=vendor_id)

    async def _vendor_of(self, user_id: uuid.UUID) -> uuid.UUID | None:
        async with self.db.read() as session:
            vendor_id: uuid.UUID | None = await session.scalar(
                select(User.vendor_id).where(User.id == user_id)
            )
        return vendor_id

    async def _by_api_key(self, key: str) -> Principal:
        async with self.db.read() as session:
            found = (
                await session.execute(
                    select(ApiKey.id, ApiKey.last_used_at, User.id, User.role, User.vendor_id)
                    .join(User, User.id == ApiKey.user_id)
                    .where(
                        ApiKey.key_hash == hash_secret(key),
                        ApiKey.revoked_at.is_(None),
                        User.disabled_at.is_(None),
                    )
                )
            ).first()
        if found is None:
            raise ApiKeyInvalid()
        key_id, last_used_at, user_id, role, vendor_id = found
        now = self.clock.now()
        if last_used_at is None or now - last_used_at >= _TOUCH_EVERY:
            async with UnitOfWork(self.db, self.clock) as uow:
                await uow.session.execute(
                    update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
                )
                await uow.commit()
        return Principal(user_id=user_id, role=role, vendor_id=vendor_id, via_api_key=True)
