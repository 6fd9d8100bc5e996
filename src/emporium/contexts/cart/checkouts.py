"""A cart under checkout: held still while a checkout runs, converted once it placed an order.

While a checkout holds a cart (`checking_out`) its lines cannot change, so the checkout's
lines and the cart's stay the same, and a second checkout of the same cart is refused. A
failed checkout gives the cart back (`active`); a completed one converts it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update

from emporium.contexts.cart.errors import CartNotActive, CartNotFound
from emporium.contexts.cart.events import CartConverted
from emporium.contexts.cart.models import Cart, CartLine, CartStatus
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class CheckoutLine:
    """A cart line as a checkout takes it: what, how many, and the hold that keeps it."""

    id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    quantity: int
    reservation_id: uuid.UUID | None


async def hold_for_checkout(
    uow: UnitOfWork, cart_id: uuid.UUID, *, buyer_id: uuid.UUID
) -> tuple[str, list[CheckoutLine]]:
    """Hold the buyer's active cart for a checkout; its currency and lines.

    404 for a cart that is not the buyer's; 409 INVALID_STATE_TRANSITION for one that is not
    active (another checkout holds it, or it was converted).
    """
    cart = await uow.session.get(Cart, cart_id, with_for_update=True, populate_existing=True)
    if cart is None or cart.user_id != buyer_id:
        raise CartNotFound()
    if cart.status != CartStatus.ACTIVE:
        raise CartNotActive(
            "This cart is being checked out or was checked out already",
            details={"status": cart.status},
        )
    cart.status = CartStatus.CHECKING_OUT
    cart.updated_at = uow.clock.now()
    rows = await uow.session.scalars(
        select(CartLine).where(CartLine.cart_id == cart.id).order_by(CartLine.id)
    )
    lines = [
        CheckoutLine(
            line.id, line.variant_id, line.product_id, line.vendor_id, line.quantity,
            line.reservation_id,
        )
        for line in rows
    ]
    return cart.currency, lines


async def release_from_checkout(uow: UnitOfWork, cart_id: uuid.UUID) -> None:
    """A failed checkout gives its cart back to the buyer (a no-op for any other status)."""
    await uow.session.execute(
        update(Cart)
        .where(Cart.id == cart_id, Cart.status == CartStatus.CHECKING_OUT)
        .values(status=CartStatus.ACTIVE, updated_at=uow.clock.now())
        .execution_options(synchronize_session=False)
    )


async def convert(uow: UnitOfWork, cart_id: uuid.UUID, *, order_id: uuid.UUID) -> None:
    """The checkout placed an order: the cart is done (once; a no-op afterwards)."""
    result = await uow.session.execute(
        update(Cart)
        .where(Cart.id == cart_id, Cart.status == CartStatus.CHECKING_OUT)
        .values(status=CartStatus.CONVERTED, updated_at=uow.clock.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0):
        uow.record(CartConverted(cart_id=cart_id, order_id=order_id))
