"""A cart under checkout: held still while a checkout runs, converted once it placed an order.

While a checkout holds a cart (`checking_out`) its lines cannot change, so the checkout's
lines and the cart's stay the same, and a second checkout of the same cart is refused. A
failed checkout gives the cart back (`active`); a completed one converts it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.cart.errors import CartNotActive, CartNotFound
from emporium.contexts.cart.events import CartConverted
from emporium.contexts.cart.lines import OWNER_TYPE
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
    return cart.currency, await checkout_lines(uow.session, cart.id)


async def checkout_lines(session: AsyncSession, cart_id: uuid.UUID) -> list[CheckoutLine]:
    """A cart's lines as a checkout takes them, in the order they were added."""
    rows = await session.scalars(
        select(CartLine).where(CartLine.cart_id == cart_id).order_by(CartLine.id)
    )
    return [_line(line) for line in rows]


def _line(line: CartLine) -> CheckoutLine:
    return CheckoutLine(
        line.id,
        line.variant_id,
        line.product_id,
        line.vendor_id,
        line.quantity,
        line.reservation_id,
    )


async def _lines_in_lock_order(uow: UnitOfWork, cart_id: uuid.UUID) -> list[CartLine]:
    # Inventory's lock order: variants in ascending id order, so two checkouts never wait
    # on each other in a circle.
    return list(
        await uow.session.scalars(
            select(CartLine)
            .where(CartLine.cart_id == cart_id)
            .order_by(CartLine.variant_id, CartLine.id)
        )
    )


async def lock_holds(
    uow: UnitOfWork, cart_id: uuid.UUID, *, until: datetime
) -> dict[uuid.UUID, uuid.UUID]:
    """Make every line's hold last until `until` (a lapsed one is reserved again); line → hold.

    Raises inventory's 409 INSUFFICIENT_INVENTORY when a lapsed line cannot be held again.
    """
    holds: dict[uuid.UUID, uuid.UUID] = {}
    for line in await _lines_in_lock_order(uow, cart_id):
        held = None
        if line.reservation_id is not None:
            try:
                held = await inventory.extend(uow, line.reservation_id, until)
            except (inventory.ReservationNotActive, inventory.ReservationNotFound):
                held = None
        if held is None:
            held = await inventory.reserve(
                uow,
                variant_id=line.variant_id,
                quantity=line.quantity,
                owner_type=OWNER_TYPE,
                owner_id=line.id,
                expires_at=until,
            )
            line.reservation_id = held.id
        holds[line.id] = held.id
    return holds


async def release_holds(uow: UnitOfWork, cart_id: uuid.UUID, *, reason: str) -> int:
    """Give back every line's units still held (a failed checkout); how many holds ended."""
    released = 0
    for line in await _lines_in_lock_order(uow, cart_id):
        if line.reservation_id is None:
            continue
        if await inventory.release(uow, line.reservation_id, reason) is not None:
            released += 1
    return released


async def release_from_checkout(uow: UnitOfWork, cart_id: uuid.UUID) -> None:
    """A failed checkout gives its cart back to the buyer (a no-op for any other status)."""
    await uow.session.execute(
        update(Cart)
        .where(Cart.id == cart_id, Cart.status == CartStatus.CHECKING_OUT)
        .values(status=CartStatus.ACTIVE, updated_at=uow.clock.now())
        .execution_options(synchronize_session=False)
    )


async def convert(uow: UnitOfWork, cart_id: uuid.UUID, *, order_id: uuid.UUID) -> None:
    """The checkout placed an order: the cart is done and emptied (once; a no-op afterwards).

    Its lines' holds were consumed into the order, which keeps their ids.
    """
    result = await uow.session.execute(
        update(Cart)
        .where(Cart.id == cart_id, Cart.status == CartStatus.CHECKING_OUT)
        .values(status=CartStatus.CONVERTED, updated_at=uow.clock.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0):
        await uow.session.execute(delete(CartLine).where(CartLine.cart_id == cart_id))
        uow.record(CartConverted(cart_id=cart_id, order_id=order_id))
