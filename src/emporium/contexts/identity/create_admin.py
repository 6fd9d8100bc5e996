"""Create accounts outside HTTP: administrators (CLI) and the demo data's users."""

from __future__ import annotations

from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.queries import UserRead
from emporium.contexts.identity.register import add_user, validated_credentials
from emporium.kernel.http.auth import Role
from emporium.kernel.uow import UnitOfWork


async def create_user(
    uow: UnitOfWork,
    email: str,
    password: str,
    name: str,
    *,
    role: Role,
    passwords: Passwords | None = None,
) -> UserRead:
    """Add an account to the open unit of work (the caller commits); 409 if the email exists."""
    normalised = validated_credentials(email, password)
    password_hash = await (passwords or Passwords()).hash(password)
    user = await add_user(uow, email=normalised, name=name, password_hash=password_hash, role=role)
    return UserRead.of(user)


async def create_admin(
    uow: UnitOfWork,
    email: str,
    password: str,
    name: str = "Administrator",
    *,
    passwords: Passwords | None = None,
) -> UserRead:
    """Add an admin to the open unit of work (the caller commits); 409 if the email exists."""
    return await create_user(uow, email, password, name, role=Role.ADMIN, passwords=passwords)
