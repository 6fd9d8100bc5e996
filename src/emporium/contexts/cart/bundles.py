"""Add a chosen bundle to a cart: its choices are validated and every component's stock is
reserved, all or nothing; its lines carry their share of the bundle's price and go together."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter

from emporium.contexts import catalog, inventory, pricing
from emporium.contexts.cart.access import Caller, CallerDep, cart_for_update
from emporium.contexts.cart.errors import VariantNotForSale
from emporium.contexts.cart.events import CartBundleAdded
from emporium.contexts.cart.lines import OWNER_TYPE, ensure_room
from emporium.contexts.cart.models import CartLine
from emporium.contexts.cart.queries import cart_read
from emporium.contexts.cart.schemas import CartBundleCreate, CartRead
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["cart"])


@dataclass(frozen=True)
class AddBundle:
    cart_id: str
    bundle_id: uuid.UUID
    choices: tuple[pricing.BundleChoice, ...]
    caller: Caller


async def add_bundle(uow: UnitOfWork, cmd: AddBundle, *, ttl_seconds: int) -> list[CartLine]:
    """Put a bundle's chosen items in the cart, each held; 422/409 and nothing changes if not."""
    cart = await cart_for_update(uow, cmd.cart_id, cmd.caller)
    priced = await pricing.prepare_bundle(uow.session, cmd.bundle_id, cmd.choices)
    if priced.price.currency != cart.currency:
        raise VariantNotForSale(
            "This bundle is sold in another currency",
            details={"bundle_id": str(cmd.bundle_id), "currency": priced.price.currency},
        )
    await ensure_room(uow, cart, len(priced.lines))
    infos = await catalog.variant_infos(uow.session, [line.variant_id for line in priced.lines])
    now, group = uow.clock.now(), new_id()
    lines = [
        CartLine(
            id=new_id(),
            cart_id=cart.id,
            variant_id=part.variant_id,
            product_id=infos[part.variant_id].product_id,
            vendor_id=infos[part.variant_id].vendor_id,
            quantity=part.quantity,
            bundle_id=priced.bundle_id,
            bundle_group_id=group,
            bundle_amount=part.amount.amount,
            created_at=now,
            updated_at=now,
        )
        for part in priced.lines
    ]
    until = now + timedelta(seconds=ttl_seconds)
    holds = await inventory.reserve_many(
        uow,
        [
            inventory.ReserveLine(line.variant_id, line.quantity, OWNER_TYPE, line.id, until)
            for line in lines
        ],
    )
    for line, held in zip(lines, holds, strict=True):
        line.reservation_id = held.id
        uow.session.add(line)
    cart.updated_at = now
    uow.record(
        CartBundleAdded(
            cart_id=cart.id,
            bundle_id=priced.bundle_id,
            bundle_group_id=group,
            item_ids=[line.id for line in lines],
            reservation_ids=[held.id for held in holds],
        )
    )
    return lines


@router.post("/store/carts/{cart_id}/bundles", status_code=201, response_model=CartRead)
async def post_bundle(
    cart_id: str, body: CartBundleCreate, caller: CallerDep, runtime: RuntimeDep
) -> CartRead:
    choices = tuple(
        pricing.BundleChoice(choice.set_id, choice.variant_id, choice.quantity)
        for choice in body.choices
    )
    async with runtime.uow() as uow:
        lines = await add_bundle(
            uow,
            AddBundle(cart_id, body.bundle_id, choices, caller),
            ttl_seconds=runtime.settings.reservation_ttl_seconds,
        )
        await uow.commit()
    return await cart_read(runtime, lines[0].cart_id)
