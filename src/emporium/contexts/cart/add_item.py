"""Add an item: adding reserves. The same variant again grows its line (only the difference
is reserved, checked against what is left after the line's own hold)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import APIRouter
from sqlalchemy import select

from emporium.contexts import catalog
from emporium.contexts.cart.access import Caller, CallerDep, cart_for_update
from emporium.contexts.cart.errors import VariantNotForSale
from emporium.contexts.cart.events import CartItemAdded
from emporium.contexts.cart.lines import ensure_room, hold, set_quantity
from emporium.contexts.cart.models import CartLine
from emporium.contexts.cart.queries import item_read
from emporium.contexts.cart.schemas import CartItemCreate, CartItemRead
from emporium.kernel.errors import NotFound
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["cart"])


@dataclass(frozen=True)
class AddItem:
    cart_id: str
    variant_id: uuid.UUID
    quantity: int
    caller: Caller


async def add_item(
    uow: UnitOfWork, cmd: AddItem, found: catalog.VariantInfo | None, *, ttl_seconds: int
) -> CartLine:
    """Put quantity units of a variant in the cart and hold them; 409 when not available.

    found is the variant as looked up before the write transaction opened (None: unknown):
    on SQLite the write slot is the one thing every add waits for, so it holds only writes.
    """
    cart = await cart_for_update(uow, cmd.cart_id, cmd.caller)
    info = for_sale(found, cmd.variant_id)
    line = await uow.session.scalar(
        select(CartLine).where(
            CartLine.cart_id == cart.id,
            CartLine.variant_id == info.id,
            CartLine.bundle_group_id.is_(None),
        )
    )
    if line is not None:
        total = line.quantity + cmd.quantity
        await set_quantity(uow, cart, line, total, ttl_seconds=ttl_seconds)
        return line
    await ensure_room(uow, cart)
    now = uow.clock.now()
    line = CartLine(
        id=new_id(),
        cart_id=cart.id,
        variant_id=info.id,
        product_id=info.product_id,
        vendor_id=info.vendor_id,
        quantity=cmd.quantity,
        created_at=now,
        updated_at=now,
    )
    held = await hold(uow, line, cmd.quantity, ttl_seconds=ttl_seconds)
    uow.session.add(line)
    cart.updated_at = now
    uow.record(
        CartItemAdded(
            cart_id=cart.id,
            item_id=line.id,
            variant_id=line.variant_id,
            quantity=line.quantity,
            reservation_id=held.id,
        )
    )
    return line


def for_sale(info: catalog.VariantInfo | None, variant_id: uuid.UUID) -> catalog.VariantInfo:
    """The variant if it can be bought now: 404 when unknown, 409 when not for sale."""
    if info is None:
        raise NotFound("Variant not found", details={"variant_id": str(variant_id)})
    if not info.purchasable:
        raise VariantNotForSale(details={"variant_id": str(variant_id)})
    return info


@router.post("/store/carts/{cart_id}/items", status_code=201, response_model=CartItemRead)
async def post_item(
    cart_id: str, body: CartItemCreate, caller: CallerDep, runtime: RuntimeDep
) -> CartItemRead:
    cmd = AddItem(cart_id, body.variant_id, body.quantity, caller)
    async with runtime.db.read() as session:
        infos = await catalog.variant_infos(session, [body.variant_id])
    async with runtime.uow() as uow:
        found = infos.get(body.variant_id)
        line = await add_item(uow, cmd, found, ttl_seconds=runtime.settings.reservation_ttl_seconds)
        await uow.commit()
    return await item_read(runtime, line.cart_id, line.id)
