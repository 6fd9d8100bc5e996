"""Identity's read side: users and API keys as plain DTOs; never commits."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.identity.models import ApiKey, User
from emporium.kernel.db import Base
from emporium.kernel.http.auth import Role


@dataclass(frozen=True)
class UserRead:
    """A user as other contexts and the API see it (never the password hash)."""

    id: uuid.UUID
    email: str
    name: str
    role: Role
    vendor_id: uuid.UUID | None
    vendor_name: str | None
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(**_fields_of(cls, user))


@dataclass(frozen=True)
class ApiKeyRead:
    """An API key as its owner sees it: never the key itself, only its first characters."""

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyRead:
        return cls(**_fields_of(cls, key))


def _fields_of(dto: type[Any], row: Base) -> dict[str, Any]:
    """The row's values of the DTO's fields (a DTO names only columns it may show)."""
    return {field.name: getattr(row, field.name) for field in dataclasses.fields(dto)}


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> UserRead | None:
    """The user with this id, or None."""
    user = await session.get(User, user_id)
    return UserRead.of(user) if user else None


async def find_user_by_email(session: AsyncSession, email: str) -> UserRead | None:
    """The user with this email (any case), or None."""
    user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    return UserRead.of(user) if user else None


async def list_api_keys(
    session: AsyncSession, user_id: uuid.UUID, *, limit: int, after: uuid.UUID | None = None
) -> list[ApiKeyRead]:
    """The user's active API keys, oldest first (ids are time-ordered), after a cursor id."""
    stmt = select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
    if after is not None:
        stmt = stmt.where(ApiKey.id > after)
    rows = await session.scalars(stmt.order_by(ApiKey.id).limit(limit))
    return [ApiKeyRead.of(row) for row in rows]
