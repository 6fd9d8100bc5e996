"""Place an order: the checkout saga's `create_order` step, in one transaction.

The order, its lines (each with its pricing snapshot), one fulfillment per vendor, the
consumption of the checkout's holds (Saleor's allocations: the units are sold now) and the
discount uses commit together, or nothing does. Placing the same checkout's order again
returns the first order, so a step retried after a crash never makes a second one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory, pricing
from emporium.contexts.orders.events import FulfillmentCreated, OrderPlaced
from emporium.contexts.orders.lifecycle import fulfillment_event, order_event
from emporium.contexts.orders.models import (
    Fulfillment,
    FulfillmentStatus,
    Order,
    OrderLine,
    OrderStatus,
)
from emporium.contexts.orders.numbers import next_number
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money, total
from emporium.kernel.uow import UnitOfWork


@dataclass(frozen=True)
class LineToPlace:
    """One priced line: what it is, its hold, and its pricing snapshot (never recomputed)."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    sku: str | None
    title: str
    quantity: int
    reservation_id: uuid.UUID
    unit_price: Money
    discount: Money
    vat: Money
    total: Money  # gross after discounts
    pricing: dict[str, Any]


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Money
    discount: Money
    shipping: Money
    vat: Money
    total: Money
    shipping_gross: Money  # shipping after its discount: what the fulfillments share


@dataclass(frozen=True)
class PlaceOrder:
    checkout_id: uuid.UUID
    buyer_id: uuid.UUID
    currency: str
    totals: OrderTotals
    shipping_address: dict[str, Any]
    shipping_method_id: uuid.UUID
    payment_method: str
    payment_id: uuid.UUID | None
    lines: tuple[LineToPlace, ...]
    discount_rule_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class PlacedOrder:
    id: uuid.UUID
    number: str
    status: str
    fulfillments: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # vendor -> id


async def place_order(uow: UnitOfWork, cmd: PlaceOrder) -> PlacedOrder:
    """Create the order `pending` and sell its units; the same checkout again: the first order.

    Raises inventory's 409 when a hold has lapsed and pricing's DISCOUNT_NOT_APPLICABLE when
    a code's last use went to someone else meanwhile.
    """
    existing = await uow.session.scalar(select(Order).where(Order.checkout_id == cmd.checkout_id))
    if existing is not None:
        return await placed(uow.session, existing)
    # Holds first, in variant order (inventory's lock order); the rule rows last (redeem).
    for line in sorted(cmd.lines, key=lambda line: (line.variant_id, line.reservation_id)):
        await inventory.consume(uow, line.reservation_id)
    order = await _insert_order(uow, cmd)
    # No ORM relationships order the inserts: each parent is flushed before its children.
    await uow.session.flush()
    fulfillments = _fulfillments(uow, order, cmd)
    await uow.session.flush()
    for line in cmd.lines:
        uow.session.add(_line(order, fulfillments[line.vendor_id].id, line))
    await uow.session.flush()
    await pricing.redeem(
        uow, rule_ids=cmd.discount_rule_ids, customer_id=cmd.buyer_id, order_id=order.id
    )
    uow.record(
        order_event(
            OrderPlaced,
            order,
            checkout_id=cmd.checkout_id,
            total=order.money(order.total),
            vendor_ids=sorted(fulfillments),
        )
    )
    for fulfillment in fulfillments.values():
        uow.record(
            fulfillment_event(FulfillmentCreated, fulfillment, total=order.money(fulfillment.total))
        )
    return PlacedOrder(
        order.id, order.number, order.status, {v: f.id for v, f in fulfillments.items()}
    )


async def placed(session: AsyncSession, order: Order) -> PlacedOrder:
    """What place_order answered for order."""
    rows = await session.execute(
        select(Fulfillment.vendor_id, Fulfillment.id).where(Fulfillment.order_id == order.id)
    )
    return PlacedOrder(order.id, order.number, order.status, {v: fid for v, fid in rows})


async def _insert_order(uow: UnitOfWork, cmd: PlaceOrder) -> Order:
    seq, number = await next_number(uow)
    now = uow.clock.now()
    totals = cmd.totals
    order = Order(
        id=new_id(),
        number=number,
        seq=seq,
        buyer_id=cmd.buyer_id,
        checkout_id=cmd.checkout_id,
        status=OrderStatus.PENDING.value,
        currency=cmd.currency,
        subtotal=totals.subtotal.amount,
        discount=totals.discount.amount,
        shipping=totals.shipping.amount,
        vat=totals.vat.amount,
        total=totals.total.amount,
        refunded=0,
        shipping_address=cmd.shipping_address,
        shipping_method_id=cmd.shipping_method_id,
        payment_method=cmd.payment_method,
        payment_id=cmd.payment_id,
        discount_rule_ids=[str(rule_id) for rule_id in cmd.discount_rule_ids],
        created_at=now,
        updated_at=now,
    )
    uow.session.add(order)
    return order


def _fulfillments(uow: UnitOfWork, order: Order, cmd: PlaceOrder) -> dict[uuid.UUID, Fulfillment]:
    """One fulfillment per vendor; shipping is shared in proportion to each one's goods."""
    goods: dict[uuid.UUID, list[Money]] = defaultdict(list)
    for line in cmd.lines:
        goods[line.vendor_id].append(line.total)
    vendors = sorted(goods)
    subtotals = [total(goods[vendor], cmd.currency) for vendor in vendors]
    shares = cmd.totals.shipping_gross.allocate([s.amount for s in subtotals])
    now = uow.clock.now()
    made = {}
    for vendor, subtotal, share in zip(vendors, subtotals, shares, strict=True):
        made[vendor] = Fulfillment(
            id=new_id(),
            order_id=order.id,
            vendor_id=vendor,
            status=FulfillmentStatus.PENDING.value,
            currency=cmd.currency,
            subtotal=subtotal.amount,
            shipping=share.amount,
            total=subtotal.amount + share.amount,
            created_at=now,
            updated_at=now,
        )
        uow.session.add(made[vendor])
    return made


def _line(order: Order, fulfillment_id: uuid.UUID, line: LineToPlace) -> OrderLine:
    return OrderLine(
        id=new_id(),
        order_id=order.id,
        fulfillment_id=fulfillment_id,
        variant_id=line.variant_id,
        product_id=line.product_id,
        vendor_id=line.vendor_id,
        reservation_id=line.reservation_id,
        sku=line.sku,
        title=line.title[:420],
        quantity=line.quantity,
        unit_price=line.unit_price.amount,
        discount=line.discount.amount,
        vat=line.vat.amount,
        total=line.total.amount,
        pricing=line.pricing,
    )
