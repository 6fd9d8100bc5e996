"""Change an item's quantity (more reserves the difference, fewer gives it back), or remove it.

An item whose hold has ended is reserved again for its new quantity if stock allows (409
otherwise, and the item stays as it was).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Response
from sqlalchemy import select

from emporium.contexts import inventory
from emporium.contexts.cart.access import Caller, CallerDep, cart_for_update
from emporium.contexts.cart.errors import BundleLineFixed
from emporium.contexts.cart.events import CartItemRemoved
from emporium.contexts.cart.lines import line_for_update, set_quantity
from emporium.contexts.cart.models import Cart, CartLine
from emporium.contexts.cart.queries import item_read
from emporium.contexts.cart.schemas import CartItemRead, CartItemUpdate
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["cart"])


@dataclass(frozen=True)
class ChangeItem:
    cart_id: str
    item_id: str
    quantity: int  # 0 removes the item
    caller: Caller


async def change_item(uow: UnitOfWork, cmd: ChangeItem, *, ttl_seconds: int) -> CartLine | None:
    """Set an item's quantity and hold that many units; None when 0 removed it."""
    cart = await cart_for_update(uow, cmd.cart_id, cmd.caller)
    line = await line_for_update(uow, cart, cmd.item_id)
    if cmd.quantity == 0:
        await remove_item(uow, cart, line)
        return None
    if line.bundle_group_id is not None and cmd.quantity != line.quantity:
        raise BundleLineFixed(details={"bundle_group_id": str(line.bundle_group_id)})
    await set_quantity(uow, cart, line, cmd.quantity, ttl_seconds=ttl_seconds)
    return line


async def remove_item(uow: UnitOfWork, cart: Cart, line: CartLine) -> None:
    """Remove a line, or every line of its bundle: a bundle is bought whole or not at all."""
    if line.bundle_group_id is None:
        await remove_line(uow, cart, line)
        return
    group = await uow.session.scalars(
        select(CartLine).where(
            CartLine.cart_id == cart.id, CartLine.bundle_group_id == line.bundle_group_id
        )
    )
    # Variant order: the order every multi-variant writer locks stock in.
    for member in sorted(group, key=lambda member: (member.variant_id, member.id)):
        await remove_line(uow, cart, member)


async def remove_line(uow: UnitOfWork, cart: Cart, line: CartLine) -> None:
    """Take the line out of the cart and give its units back."""
    if line.reservation_id is not None:
        await inventory.release(uow, line.reservation_id, "removed from cart")
    await uow.session.delete(line)
    cart.updated_at = uow.clock.now()
    uow.record(
        CartItemRemoved(
            cart_id=cart.id, item_id=line.id, variant_id=line.variant_id, quantity=line.quantity
        )
    )


@router.patch("/store/carts/{cart_id}/items/{item_id}", response_model=CartItemRead)
async def patch_item(
    cart_id: str, item_id: str, body: CartItemUpdate, caller: CallerDep, runtime: RuntimeDep
) -> CartItemRead | Response:
    cmd = ChangeItem(cart_id, item_id, body.quantity, caller)
    async with runtime.uow() as uow:
        line = await change_item(uow, cmd, ttl_seconds=runtime.settings.reservation_ttl_seconds)
        await uow.commit()
    if line is None:
        return Response(status_code=204)
    return await item_read(runtime, line.cart_id, line.id)


@router.delete("/store/carts/{cart_id}/items/{item_id}", status_code=204)
async def delete_item(
    cart_id: str, item_id: str, caller: CallerDep, runtime: RuntimeDep
) -> Response:
    async with runtime.uow() as uow:
        cart = await cart_for_update(uow, cart_id, caller)
        await remove_item(uow, cart, await line_for_update(uow, cart, item_id))
        await uow.commit()
    return Response(status_code=204)
