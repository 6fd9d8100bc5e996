"""Register: a buyer or seller account, signed in at once (admins come from create_admin)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from emporium.contexts import catalog
from emporium.contexts.identity.errors import EmailTaken
from emporium.contexts.identity.models import User, check_password, normalize_email
from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.queries import UserRead
from emporium.contexts.identity.tokens import TokenIssuer, TokenPair
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.http.auth import Role
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class RegisterUser:
    email: str
    password: str
    name: str
    role: Role = Role.BUYER
    vendor_name: str | None = None


@dataclass(frozen=True)
class Registered:
    user: UserRead
    tokens: TokenPair


def validated_credentials(email: str, password: str) -> str:
    """The normalised email when email and password pass the rules; 422 naming the field else."""
    for field, check, value in (
        ("email", normalize_email, email),
        ("password", check_password, password),
    ):
        try:
            check(value)
        except ValueError as exc:
            raise ValidationFailed(
                f"The {field} is not valid: {exc}",
                details={"fields": [{"field": field, "location": "body", "message": str(exc)}]},
            ) from exc
    return normalize_email(email)


async def add_user(
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    password_hash: str,
    role: Role,
    vendor_name: str | None = None,
) -> User:
    """Add a new account to the open unit of work; 409 CONFLICT when the email is taken."""
    taken = await uow.session.scalar(select(User.id).where(User.email == email))
    if taken is not None:
        raise EmailTaken(details={"email": email})
    user = User.register(
        email=email,
        name=name,
        password_hash=password_hash,
        role=role,
        vendor_name=vendor_name,
        now=uow.clock.now(),
    )
    uow.session.add(user)
    # Insert now: rows that reference the user (refresh tokens) may follow in this flush, and
    # without ORM relationships the flush would not know to insert the user first.
    try:
        await uow.flush()
    except IntegrityError:  # the same email registered concurrently
        raise EmailTaken(details={"email": email}) from None
    return user


async def register(
    cmd: RegisterUser,
    *,
    uow: UnitOfWork,
    passwords: Passwords,
    tokens: TokenIssuer,
    commission_rate: Decimal,
) -> Registered:
    """Create the account and its first session; a seller's vendor starts `pending`."""
    if cmd.role is Role.ADMIN:
        raise ValidationFailed("Administrators are created with `emporium users create-admin`")
    email = validated_credentials(cmd.email, cmd.password)
    # Hash before the transaction: argon2 is slow and must not hold SQLite's write lock.
    password_hash = await passwords.hash(cmd.password)
    vendor_name = (cmd.vendor_name or cmd.name) if cmd.role is Role.SELLER else None
    async with uow:
        user = await add_user(
            uow,
            email=email,
            name=cmd.name,
            password_hash=password_hash,
            role=cmd.role,
            vendor_name=vendor_name,
        )
        if vendor_name is not None:
            vendor = await catalog.register_vendor(
                uow, owner_user_id=user.id, name=vendor_name, commission_rate=commission_rate
            )
            user.attach_vendor(vendor.id)
        pair = tokens.issue_pair(uow.session, user)
        await uow.commit()
        return Registered(user=UserRead.of(user), tokens=pair)
