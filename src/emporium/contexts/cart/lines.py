"""A cart line's hold on stock: the one place the cart asks inventory for units."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.cart.errors import CartFull, CartItemNotFound, QuantityTooLarge
from emporium.contexts.cart.events import CartItemUpdated
from emporium.contexts.cart.models import Cart, CartLine
from emporium.kernel.ids import parse_id
from emporium.kernel.uow import UnitOfWork

OWNER_TYPE = "cart_line"
MAX_QUANTITY = 999
MAX_LINES = 100


def check_quantity(quantity: int) -> None:
    if quantity > MAX_QUANTITY:
        raise QuantityTooLarge(details={"quantity": quantity, "max": MAX_QUANTITY})


async def hold(
    uow: UnitOfWork, line: CartLine, quantity: int, *, ttl_seconds: int
) -> inventory.ReservationView:
    """Make the line's hold cover quantity units for a fresh TTL; 409 when stock is short.

    An active hold is resized (only the difference is taken or given back); an ended one
    (expired, released) is replaced by a new reservation for the whole quantity. Activity
    renews the hold, as Saleor does when a checkout line changes.
    """
    until = uow.clock.now() + timedelta(seconds=ttl_seconds)
    if line.reservation_id is not None:
        try:
            return await inventory.resize(uow, line.reservation_id, quantity, expires_at=until)
        except (inventory.ReservationNotActive, inventory.ReservationNotFound):
            pass
    view = await inventory.reserve(
        uow,
        variant_id=line.variant_id,
        quantity=quantity,
        owner_type=OWNER_TYPE,
        owner_id=line.id,
        expires_at=until,
    )
    line.reservation_id = view.id
    return view


async def set_quantity(
    uow: UnitOfWork, cart: Cart, line: CartLine, quantity: int, *, ttl_seconds: int
) -> None:
    """Change a line to quantity units, held (409 when stock is short; nothing changes)."""
    check_quantity(quantity)
    before = line.quantity
    held = await hold(uow, line, quantity, ttl_seconds=ttl_seconds)
    now = uow.clock.now()
    line.quantity, line.updated_at, cart.updated_at = quantity, now, now
    uow.record(
        CartItemUpdated(
            cart_id=cart.id,
            item_id=line.id,
            variant_id=line.variant_id,
            quantity=quantity,
            quantity_before=before,
            reservation_id=held.id,
        )
    )


async def ensure_room(uow: UnitOfWork, cart: Cart, more: int = 1) -> None:
    """409 when more lines would take the cart past MAX_LINES."""
    count = await uow.session.scalar(
        select(func.count()).select_from(CartLine).where(CartLine.cart_id == cart.id)
    )
    if (count or 0) + more > MAX_LINES:
        raise CartFull(details={"max": MAX_LINES})


async def line_for_update(uow: UnitOfWork, cart: Cart, item_id: str) -> CartLine:
    """A line of a cart the caller has opened (and locked); 404 otherwise."""
    key = parse_id(item_id)
    line = (
        await uow.session.scalar(
            select(CartLine).where(CartLine.id == key, CartLine.cart_id == cart.id)
        )
        if key
        else None
    )
    if line is None:
        raise CartItemNotFound()
    return line


async def lines_of(session: AsyncSession, cart_id: uuid.UUID) -> list[CartLine]:
    """A cart's lines in the order they were added."""
    return list(
        await session.scalars(
            select(CartLine).where(CartLine.cart_id == cart_id).order_by(CartLine.id)
        )
    )
