"""Moving a checkout along its states, inside the unit of work of the step that got it there."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update

from emporium.contexts.checkout.models import Checkout, CheckoutState
from emporium.kernel.saga import StepContext
from emporium.kernel.uow import UnitOfWork


def checkout_id_of(ctx: StepContext) -> uuid.UUID:
    return uuid.UUID(str(ctx.data["checkout_id"]))


async def move(
    uow: UnitOfWork,
    checkout_id: uuid.UUID,
    state: CheckoutState,
    *,
    once: bool = False,
    **values: Any,
) -> bool:
    """Set the checkout's state (and columns); False when it had FAILED (it never moves again).

    With `once`, also False when it was in that state already, so a retried step records
    its event once.
    """
    moving = [Checkout.id == checkout_id, Checkout.state != CheckoutState.FAILED]
    if once:
        moving.append(Checkout.state != state)
    result = await uow.session.execute(
        update(Checkout)
        .where(*moving)
        .values(state=state.value, updated_at=uow.clock.now(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def move_fenced(ctx: StepContext, state: CheckoutState, **values: Any) -> None:
    """Set the state in a unit of work of its own, only while this step attempt is live."""
    async with ctx.effect() as uow:
        await move(uow, checkout_id_of(ctx), state, **values)
