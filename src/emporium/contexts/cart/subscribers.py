"""The cart's reactions to other contexts' events.

An expired hold needs nothing here: a line reads its reservation's status. An archived
product's lines stay in the carts (shown `purchasable: false`), but their holds are given
back at once, so nobody waits for units that can no longer be sold to this cart.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from emporium.contexts import inventory
from emporium.contexts.cart.models import Cart, CartLine, CartStatus
from emporium.kernel.events import StoredEvent
from emporium.kernel.registry import Subscriber
from emporium.kernel.uow import UnitOfWork

PRODUCT_ARCHIVED = "catalog.product_archived"


async def _release_archived(event: StoredEvent, uow: UnitOfWork) -> None:
    held = await uow.session.scalars(
        select(CartLine.reservation_id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(
            CartLine.product_id == uuid.UUID(event.aggregate_id),
            CartLine.reservation_id.is_not(None),
            Cart.status == CartStatus.ACTIVE,
        )
        .order_by(CartLine.variant_id, CartLine.reservation_id)
    )
    for reservation_id in list(held):
        if reservation_id is not None:
            await inventory.release(uow, reservation_id, "product archived")


def unavailable_lines() -> Subscriber:
    """Gives back the holds of cart lines whose product was archived (idempotent)."""
    return Subscriber(
        name="cart.unavailable_lines", handle=_release_archived, types=[PRODUCT_ARCHIVED]
    )
