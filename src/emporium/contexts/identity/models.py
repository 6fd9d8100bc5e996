"""Identity's tables: users, refresh tokens (rotating, in families) and API keys."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from emporium.contexts.identity.events import UserRegistered, VendorAttached
from emporium.kernel.db import Base, UTCDateTime, UUIDType
from emporium.kernel.http.auth import Role
from emporium.kernel.ids import new_id
from emporium.kernel.uow import RecordsEvents

MIN_PASSWORD_LENGTH = 10
# argon2 hashes any length, but an unbounded one lets a client buy our CPU by the megabyte.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 320
# Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is proven by
# mail, not by a pattern.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def normalize_email(value: str) -> str:
    """value trimmed and lower-cased, so one address has one account; ValueError if not one."""
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise ValueError("not a valid email address")
    return email


def check_password(password: str) -> str:
    """password when the policy accepts it; ValueError saying why otherwise."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"must be at most {MAX_PASSWORD_LENGTH} characters long")
    return password


class User(RecordsEvents, Base):
    """An account. `vendor_id` stays null until the catalog attaches the seller's vendor."""

    __tablename__ = "identity_user"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="identity_role",
            native_enum=False,
            length=16,
            values_callable=lambda kind: [member.value for member in kind],
        )
    )
    vendor_name: Mapped[str | None] = mapped_column(String(200))
    vendor_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def register(
        cls,
        *,
        email: str,
        name: str,
        password_hash: str,
        role: Role,
        vendor_name: str | None,
        now: datetime,
    ) -> User:
        """A new account (email already normalised), recording identity.user_registered."""
        user = cls(
            id=new_id(),
            email=email,
            name=name,
            password_hash=password_hash,
            role=role,
            vendor_name=vendor_name if role is Role.SELLER else None,
            created_at=now,
        )
        user.record_event(
            UserRegistered(
                user_id=user.id,
                email=email,
                name=name,
                role=role,
                vendor_name=user.vendor_name,
            )
        )
        return user

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def attach_vendor(self, vendor_id: uuid.UUID) -> None:
        """Link the seller to the vendor the catalog created for them."""
        if self.vendor_id == vendor_id:
            return
        self.vendor_id = vendor_id
        self.record_event(VendorAttached(user_id=self.id, vendor_id=vendor_id))


class RefreshToken(Base):
    """One refresh token (only its sha256 is kept). Rotation chains tokens into a family."""

    __tablename__ = "identity_refresh_token"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    family_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(UUIDType)


class ApiKey(Base):
    """A long-lived key for an integration, acting as its user (only its sha256 is kept)."""

    __tablename__ = "identity_api_key"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
