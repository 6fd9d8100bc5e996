"""Create an administrator (the CLI and the demo data; never over HTTP)."""

from __future__ import annotations

from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.queries import UserRead
from emporium.contexts.identity.register import add_user, validated_credentials
from emporium.kernel.http.auth import Role
from emporium.kernel.uow import UnitOfWork


async def create_admin(
    uow: UnitOfWork,
    email: str,
    password: str,
    name: str = "Administrator",
    *,
    passwords: Passwords | None = None,
) -> UserRead:
    """Add an admin to the open unit of work (the caller commits); 409 if the email exists."""
    normalised = validated_credentials(email, password)
    password_hash = await (passwords or Passwords()).hash(password)
    user = await add_user(
        uow, email=normalised, name=name, password_hash=password_hash, role=Role.ADMIN
    )
    return UserRead.of(user)
