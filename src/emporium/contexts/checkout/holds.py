"""The saga's stock step: the cart's holds last until the payment can no longer arrive.

The holds are the bridge that lets the gateway call happen outside any database lock (as
Saleor's checkout does): the units are set aside by a committed reservation, not by a row
lock held across the network.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from emporium.contexts import cart, inventory
from emporium.contexts.checkout.models import CheckoutState
from emporium.contexts.checkout.progress import checkout_id_of, move
from emporium.kernel.saga import StepContext, StepFailed

# A payment confirmed at its very deadline must still find its units held.
HOLD_MARGIN = timedelta(minutes=5)


async def reserve_inventory(ctx: StepContext) -> dict[str, Any]:
    """Extend every line's hold past the payment deadline; a lapsed line is held again."""
    settings = ctx.runtime.settings
    until = ctx.now + timedelta(seconds=settings.payment_timeout_seconds) + HOLD_MARGIN
    try:
        async with ctx.effect() as uow:
            holds = await cart.lock_holds(uow, uuid.UUID(ctx.data["cart_id"]), until=until)
            await move(uow, checkout_id_of(ctx), CheckoutState.LOCKED)
    except inventory.InsufficientInventory as exc:
        raise StepFailed(exc.code, exc.message, exc.details) from None
    return {"holds": {str(line): str(hold) for line, hold in holds.items()}}


async def release_inventory(ctx: StepContext) -> dict[str, Any]:
    """Give back the units still held; those an order consumed come back with its cancel."""
    async with ctx.effect() as uow:
        released = await cart.release_holds(
            uow, uuid.UUID(ctx.data["cart_id"]), reason="checkout failed"
        )
    return {"action": "release", "released": released}
