"""Create a cart: a guest gets a token shown once; a signed-in buyer's cart is theirs."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from emporium.contexts.cart.access import new_token
from emporium.contexts.cart.events import CartCreated
from emporium.contexts.cart.models import Cart, CartStatus
from emporium.contexts.cart.queries import cart_read
from emporium.contexts.cart.schemas import CartCreatedRead
from emporium.kernel.http.auth import OptionalPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork


async def create_cart(
    uow: UnitOfWork, *, user_id: uuid.UUID | None, currency: str
) -> tuple[Cart, str | None]:
    """A new empty cart and, for a guest, its token (only its hash is stored)."""
    token, token_hash = new_token() if user_id is None else (None, None)
    now = uow.clock.now()
    cart = Cart(
        id=new_id(),
        user_id=user_id,
        token_hash=token_hash,
        status=CartStatus.ACTIVE,
        currency=currency,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(cart)
    uow.record(CartCreated(cart_id=cart.id, user_id=user_id))
    return cart, token


router = APIRouter(tags=["cart"])


@router.post("/store/carts", status_code=201, response_model=CartCreatedRead)
async def post_cart(principal: OptionalPrincipal, runtime: RuntimeDep) -> CartCreatedRead:
    async with runtime.uow() as uow:
        cart, token = await create_cart(
            uow,
            user_id=principal.user_id if principal else None,
            currency=runtime.settings.default_currency,
        )
        await uow.commit()
    view = await cart_read(runtime, cart.id)
    return CartCreatedRead(**view.model_dump(), cart_token=token)
