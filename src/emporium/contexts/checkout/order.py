"""The saga's order steps: place the order (holds consumed, discounts redeemed, atomically),
book one shipment per vendor fulfillment, then confirm it and convert the cart.
"""

from __future__ import annotations

import uuid
from typing import Any

from emporium.contexts import cart, orders, shipping
from emporium.contexts.checkout.events import CheckoutCompleted
from emporium.contexts.checkout.models import CheckoutState
from emporium.contexts.checkout.plan import Plan
from emporium.contexts.checkout.progress import checkout_id_of, move
from emporium.kernel.errors import DomainError
from emporium.kernel.saga import StepContext, StepFailed


def _place(ctx: StepContext) -> orders.PlaceOrder:
    data = ctx.data
    plan = Plan.of(data["plan"])
    holds = {uuid.UUID(line): uuid.UUID(hold) for line, hold in data["holds"].items()}
    totals = plan.totals
    payment_id = data.get("payment_id")
    return orders.PlaceOrder(
        checkout_id=checkout_id_of(ctx),
        buyer_id=uuid.UUID(data["buyer_id"]),
        currency=str(data["currency"]),
        totals=orders.OrderTotals(
            subtotal=totals["subtotal"],
            discount=totals["discount"],
            shipping=totals["shipping"],
            vat=totals["vat"],
            total=totals["total"],
            shipping_gross=totals["shipping_gross"],
        ),
        shipping_address=dict(data["address"]),
        shipping_method_id=uuid.UUID(data["method_id"]),
        payment_method=str(data["payment"]["method"]),
        payment_id=uuid.UUID(payment_id) if payment_id else None,
        lines=tuple(
            orders.LineToPlace(
                variant_id=line.variant_id,
                product_id=line.product_id,
                vendor_id=line.vendor_id,
                sku=line.sku,
                title=line.title,
                quantity=line.quantity,
                reservation_id=holds[line.line_id],
                unit_price=line.unit_price,
                discount=line.discount,
                vat=line.vat,
                total=line.total,
                pricing=line.snapshot,
            )
            for line in plan.lines
        ),
        discount_rule_ids=plan.rule_ids,
    )


async def create_order(ctx: StepContext) -> dict[str, Any]:
    """ORDER_CREATED: the order, its lines and fulfillments, its holds sold, in one commit."""
    try:
        async with ctx.effect() as uow:
            placed = await orders.place_order(uow, _place(ctx))
            await move(uow, checkout_id_of(ctx), CheckoutState.ORDER_CREATED, order_id=placed.id)
    except DomainError as exc:  # a lapsed hold, a discount's last use gone to someone else
        raise StepFailed(exc.code, exc.message, exc.details) from None
    return {
        "order_id": str(placed.id),
        "order_number": placed.number,
        "fulfillments": {str(vendor): str(fid) for vendor, fid in placed.fulfillments.items()},
    }


async def cancel_order(ctx: StepContext) -> dict[str, Any]:
    """Cancel the order if one was placed: its units back in stock, its discount uses back."""
    async with ctx.effect() as uow:
        placed = await orders.order_of_checkout(uow.session, checkout_id_of(ctx))
        if placed is None:
            return {"action": "none"}
        await orders.cancel_order(uow, order_id=placed.id, reason="checkout failed")
    return {"action": "cancel", "order_id": str(placed.id)}


def _address(ctx: StepContext) -> shipping.Address:
    address = ctx.data["address"]
    return shipping.Address(
        name=address["name"],
        line1=address["line1"],
        line2=address.get("line2"),
        city=address["city"],
        postal_code=address["postal_code"],
        country=address["country"],
    )


async def create_shipments(ctx: StepContext) -> dict[str, Any]:
    """Book one parcel per vendor fulfillment (no transaction open), then record them."""
    plan = Plan.of(ctx.data["plan"])
    order_id = uuid.UUID(ctx.data["order_id"])
    booked: dict[uuid.UUID, uuid.UUID] = {}
    for vendor, fid in sorted(ctx.data["fulfillments"].items()):
        weight = plan.weight_of(uuid.UUID(vendor))
        try:
            info = await shipping.create_shipment(
                ctx.runtime,
                fulfillment_id=uuid.UUID(fid),
                address=_address(ctx),
                parcels=[shipping.Parcel(weight_grams=weight)],
                key=ctx.key_for(fid),
                order_id=order_id,
                method_id=uuid.UUID(ctx.data["method_id"]),
            )
        except shipping.ShippingUnavailable as exc:
            raise StepFailed(exc.code, exc.message, exc.details) from None
        booked[uuid.UUID(fid)] = info.id
    async with ctx.effect() as uow:
        await orders.attach_shipments(uow, order_id=order_id, shipments=booked)
    return {"shipments": {str(fid): str(sid) for fid, sid in booked.items()}}


async def cancel_shipments(ctx: StepContext) -> dict[str, Any]:
    """Cancel every parcel booked for the order's fulfillments (none booked: nothing to do)."""
    cancelled = 0
    for fid in sorted(ctx.data.get("fulfillments", {}).values()):
        async with ctx.runtime.db.read() as session:
            info = await shipping.shipment_of(session, uuid.UUID(fid))
        if info is None or info.status in (
            shipping.ShipmentStatus.CANCELLED,
            shipping.ShipmentStatus.FAILED,
        ):
            continue
        await shipping.cancel_shipment(ctx.runtime, shipment_id=info.id, key=ctx.key_for(fid))
        cancelled += 1
    return {"action": "cancel_shipment" if cancelled else "none", "cancelled": cancelled}


async def complete(ctx: StepContext) -> dict[str, Any]:
    """COMPLETED: the order confirmed, the cart converted (emptied), in one commit."""
    order_id = uuid.UUID(ctx.data["order_id"])
    checkout_id = checkout_id_of(ctx)
    cart_id = uuid.UUID(ctx.data["cart_id"])
    async with ctx.effect() as uow:
        await orders.confirm_order(uow, order_id=order_id)
        await cart.convert(uow, cart_id, order_id=order_id)
        if await move(uow, checkout_id, CheckoutState.COMPLETED, once=True):
            uow.record(
                CheckoutCompleted(
                    id=checkout_id,
                    buyer_id=uuid.UUID(ctx.data["buyer_id"]),
                    cart_id=cart_id,
                    order_id=order_id,
                )
            )
    return {}
