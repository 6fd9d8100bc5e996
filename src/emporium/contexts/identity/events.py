"""Identity's published events (facts, past tense; wire names `identity.*`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from emporium.kernel.events import DomainEvent
from emporium.kernel.http.auth import Role


@dataclass(frozen=True, kw_only=True)
class UserRegistered(DomainEvent):
    """A new account; a seller's `vendor_name` is the vendor the catalog should create."""

    type = "identity.user_registered"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    vendor_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class UserLoggedIn(DomainEvent):
    type = "identity.user_logged_in"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    family_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class UserLoggedOut(DomainEvent):
    type = "identity.user_logged_out"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    family_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RefreshTokenReuseDetected(DomainEvent):
    """A used refresh token came back: it was probably stolen, so its family was revoked."""

    type = "identity.refresh_token_reuse_detected"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    family_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(DomainEvent):
    type = "identity.api_key_created"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    api_key_id: uuid.UUID
    name: str
    prefix: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(DomainEvent):
    type = "identity.api_key_revoked"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    api_key_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class VendorAttached(DomainEvent):
    """The catalog linked a seller to the vendor it created for them."""

    type = "identity.vendor_attached"
    aggregate_type = "user"
    aggregate_field = "user_id"

    user_id: uuid.UUID
    vendor_id: uuid.UUID
