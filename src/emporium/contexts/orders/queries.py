"""The read side of orders: an order as its buyer, its sellers and the admins see it."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import shipping
from emporium.contexts.orders.models import Fulfillment, Order, OrderLine, OrderRefund
from emporium.contexts.orders.place import PlacedOrder, placed
from emporium.contexts.orders.refunds import RefundView
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.http.pagination import decode_cursor, encode_cursor
from emporium.kernel.money import Money


@dataclass(frozen=True)
class LineView:
    id: uuid.UUID
    fulfillment_id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    sku: str | None
    title: str
    quantity: int
    unit_price: Money
    discount: Money
    vat: Money
    total: Money
    pricing: dict[str, Any]


@dataclass(frozen=True)
class ShipmentView:
    id: uuid.UUID
    carrier: str
    tracking_number: str | None
    status: str


@dataclass(frozen=True)
class FulfillmentView:
    id: uuid.UUID
    order_id: uuid.UUID
    vendor_id: uuid.UUID
    status: str
    subtotal: Money
    shipping: Money
    total: Money
    shipment: ShipmentView | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    line_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class OrderView:
    id: uuid.UUID
    number: str
    buyer_id: uuid.UUID
    checkout_id: uuid.UUID | None
    status: str
    currency: str
    totals: dict[str, Money]
    refunded: Money
    shipping_address: dict[str, Any]
    shipping_method_id: uuid.UUID
    payment_method: str
    payment_id: uuid.UUID | None
    items: tuple[LineView, ...]
    fulfillments: tuple[FulfillmentView, ...]
    refunds: tuple[RefundView, ...]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Slice:
    """One page of a list, with the cursor of the next one."""

    items: list[Any]
    next_cursor: str | None


def _money(amount: int, currency: str) -> Money:
    return Money(amount, currency)


def _line_view(line: OrderLine, currency: str) -> LineView:
    return LineView(
        id=line.id,
        fulfillment_id=line.fulfillment_id,
        variant_id=line.variant_id,
        product_id=line.product_id,
        vendor_id=line.vendor_id,
        sku=line.sku,
        title=line.title,
        quantity=line.quantity,
        unit_price=_money(line.unit_price, currency),
        discount=_money(line.discount, currency),
        vat=_money(line.vat, currency),
        total=_money(line.total, currency),
        pricing=line.pricing,
    )


async def fulfillment_views(
    session: AsyncSession, fulfillments: list[Fulfillment]
) -> list[FulfillmentView]:
    """Fulfillments with their shipments and line ids, in two queries whatever their number."""
    ids = [f.id for f in fulfillments]
    shipments = await shipping.shipments_of(session, ids)
    lines: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if ids:
        rows = await session.execute(
            select(OrderLine.fulfillment_id, OrderLine.id)
            .where(OrderLine.fulfillment_id.in_(ids))
            .order_by(OrderLine.id)
        )
        for fulfillment_id, line_id in rows:
            lines[fulfillment_id].append(line_id)
    views = []
    for f in fulfillments:
        info = shipments.get(f.id)
        shipment = (
            ShipmentView(info.id, info.carrier, info.tracking_number, info.status.value)
            if info
            else None
        )
        views.append(
            FulfillmentView(
                id=f.id,
                order_id=f.order_id,
                vendor_id=f.vendor_id,
                status=f.status,
                subtotal=_money(f.subtotal, f.currency),
                shipping=_money(f.shipping, f.currency),
                total=_money(f.total, f.currency),
                shipment=shipment,
                shipped_at=f.shipped_at,
                delivered_at=f.delivered_at,
                line_ids=tuple(lines[f.id]),
            )
        )
    return views


async def order_of_checkout(session: AsyncSession, checkout_id: uuid.UUID) -> PlacedOrder | None:
    """The order a checkout placed, if it placed one."""
    order = await session.scalar(select(Order).where(Order.checkout_id == checkout_id))
    return await placed(session, order) if order else None


async def get_order_view(session: AsyncSession, order_id: uuid.UUID) -> OrderView | None:
    """The whole order (lines, fulfillments with shipments, refunds), or None."""
    found = await order_views(session, [order_id])
    return found[0] if found else None


async def order_views(session: AsyncSession, order_ids: list[uuid.UUID]) -> list[OrderView]:
    """Whole orders in the order of order_ids (unknown ones left out), in a fixed few queries."""
    if not order_ids:
        return []
    rows = {o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(order_ids)))}
    lines: dict[uuid.UUID, list[OrderLine]] = defaultdict(list)
    for line in await session.scalars(
        select(OrderLine).where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.id)
    ):
        lines[line.order_id].append(line)
    fulfillments: dict[uuid.UUID, list[FulfillmentView]] = defaultdict(list)
    found = await session.scalars(
        select(Fulfillment)
        .where(Fulfillment.order_id.in_(order_ids))
        .order_by(Fulfillment.order_id, Fulfillment.vendor_id)
    )
    for view in await fulfillment_views(session, list(found)):
        fulfillments[view.order_id].append(view)
    refunds: dict[uuid.UUID, list[RefundView]] = defaultdict(list)
    for refund in await session.scalars(
        select(OrderRefund).where(OrderRefund.order_id.in_(order_ids)).order_by(OrderRefund.id)
    ):
        refunds[refund.order_id].append(RefundView.of(refund))
    return [
        _order_view(rows[i], lines[i], fulfillments[i], refunds[i]) for i in order_ids if i in rows
    ]


def _order_view(
    order: Order,
    lines: list[OrderLine],
    fulfillments: list[FulfillmentView],
    refunds: list[RefundView],
) -> OrderView:
    c = order.currency
    return OrderView(
        id=order.id,
        number=order.number,
        buyer_id=order.buyer_id,
        checkout_id=order.checkout_id,
        status=order.status,
        currency=c,
        totals={
            "subtotal": _money(order.subtotal, c),
            "discount": _money(order.discount, c),
            "shipping": _money(order.shipping, c),
            "vat": _money(order.vat, c),
            "total": _money(order.total, c),
        },
        refunded=_money(order.refunded, c),
        shipping_address=order.shipping_address,
        shipping_method_id=order.shipping_method_id,
        payment_method=order.payment_method,
        payment_id=order.payment_id,
        items=tuple(_line_view(line, c) for line in lines),
        fulfillments=tuple(fulfillments),
        refunds=tuple(refunds),
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


async def list_orders(
    session: AsyncSession,
    *,
    buyer_id: uuid.UUID | None = None,
    status: str | None = None,
    vendor_id: uuid.UUID | None = None,
    limit: int,
    cursor: str | None = None,
) -> Slice:
    """Orders newest first (uuid7 ids sort by creation), filtered, one page at a time."""
    query: Select[uuid.UUID] = select(Order.id).order_by(Order.id.desc()).limit(limit + 1)
    if buyer_id is not None:
        query = query.where(Order.buyer_id == buyer_id)
    if status is not None:
        query = query.where(Order.status == status)
    if vendor_id is not None:
        query = query.where(
            Order.id.in_(select(Fulfillment.order_id).where(Fulfillment.vendor_id == vendor_id))
        )
    after = decode_cursor(cursor, size=1)
    if after is not None:
        query = query.where(Order.id < _uuid(after[0]))
    ids = list(await session.scalars(query))
    more = len(ids) > limit
    ids = ids[:limit]
    return Slice(await order_views(session, ids), encode_cursor([str(ids[-1])]) if more else None)


async def list_fulfillments(
    session: AsyncSession,
    *,
    vendor_id: uuid.UUID | None,
    status: str | None = None,
    limit: int,
    cursor: str | None = None,
) -> Slice:
    """A vendor's fulfillments (None: everyone's) newest first, one page at a time."""
    query = select(Fulfillment).order_by(Fulfillment.id.desc()).limit(limit + 1)
    if vendor_id is not None:
        query = query.where(Fulfillment.vendor_id == vendor_id)
    if status is not None:
        query = query.where(Fulfillment.status == status)
    after = decode_cursor(cursor, size=1)
    if after is not None:
        query = query.where(Fulfillment.id < _uuid(after[0]))
    rows = list(await session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return Slice(
        await fulfillment_views(session, rows),
        encode_cursor([str(rows[-1].id)]) if more else None,
    )


async def get_fulfillment(
    session: AsyncSession, fulfillment_id: uuid.UUID
) -> FulfillmentView | None:
    """One fulfillment with its shipment, or None."""
    row = await session.get(Fulfillment, fulfillment_id)
    return (await fulfillment_views(session, [row]))[0] if row else None


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValidationFailed("The cursor is not valid") from exc
