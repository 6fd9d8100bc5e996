"""Restock: sold units come back to the shelf (a cancelled order, a return)."""

from __future__ import annotations

import uuid

from emporium.contexts.inventory.stock import AdjustStock, adjust_stock
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.uow import UnitOfWork


async def restock(
    uow: UnitOfWork,
    variant_id: uuid.UUID,
    quantity: int,
    reason: str,
    *,
    actor: str | None = None,
    location_id: uuid.UUID | None = None,
) -> None:
    """Add quantity to on_hand (the default location unless given), with history and events.

    Not idempotent by itself: callers that may run twice (saga steps) guard it with their
    own step log.
    """
    if quantity < 1:
        raise ValidationFailed("Restock at least one unit", details={"quantity": quantity})
    await adjust_stock(
        uow,
        AdjustStock(
            variant_id=variant_id,
            reason=reason,
            delta=quantity,
            location_id=location_id,
            kind="restock",
        ),
        actor=actor,
    )
