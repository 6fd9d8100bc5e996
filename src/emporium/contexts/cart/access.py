"""Who may open a cart: a guest with its token, a buyer with their login; others get 404."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.cart.errors import CartNotActive, CartNotFound
from emporium.contexts.cart.models import Cart, CartStatus
from emporium.kernel.http.auth import OptionalPrincipal
from emporium.kernel.ids import parse_id
from emporium.kernel.uow import UnitOfWork

CART_TOKEN_HEADER = "X-Cart-Token"


@dataclass(frozen=True)
class Caller:
    """Who is asking: a signed-in user, the bearer of a cart token, both or neither."""

    user_id: uuid.UUID | None = None
    token: str | None = None


def new_token() -> tuple[str, str]:
    """A guest cart's token (shown once) and the hash that is stored."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    # The token carries 256 random bits, so a plain digest is as good as a slow hash here.
    return hashlib.sha256(token.encode()).hexdigest()


def may_open(cart: Cart, caller: Caller) -> bool:
    """A buyer's cart opens for that buyer only; a guest cart for its token only."""
    if cart.user_id is not None:
        return caller.user_id == cart.user_id
    if cart.token_hash is None or not caller.token:
        return False
    return hmac.compare_digest(cart.token_hash, hash_token(caller.token))


async def cart_for_update(uow: UnitOfWork, cart_id: str | uuid.UUID, caller: Caller) -> Cart:
    """The caller's active cart, locked: concurrent changes of one cart run one at a time."""
    key = parse_id(cart_id)
    cart = (
        await uow.session.get(Cart, key, with_for_update=True, populate_existing=True)
        if key
        else None
    )
    if cart is None or not may_open(cart, caller):
        raise CartNotFound()
    if cart.status != CartStatus.ACTIVE:
        raise CartNotActive(details={"status": cart.status})
    return cart


async def cart_for_read(session: AsyncSession, cart_id: str, caller: Caller) -> Cart:
    """The caller's cart, whatever its status."""
    key = parse_id(cart_id)
    cart = await session.get(Cart, key) if key else None
    if cart is None or not may_open(cart, caller):
        raise CartNotFound()
    return cart


async def _caller(
    principal: OptionalPrincipal,
    x_cart_token: Annotated[str | None, Header(alias=CART_TOKEN_HEADER, max_length=200)] = None,
) -> Caller:
    return Caller(user_id=principal.user_id if principal else None, token=x_cart_token)


CallerDep = Annotated[Caller, Depends(_caller)]
