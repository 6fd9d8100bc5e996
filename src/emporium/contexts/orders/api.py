"""Orders routes: the buyer's orders, the seller's fulfillments, the admin's orders and refunds."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from emporium.contexts.orders import queries
from emporium.contexts.orders.cancel import CancelOrder, cancel_for_buyer
from emporium.contexts.orders.deliver import ConfirmDelivery, confirm_delivery
from emporium.contexts.orders.errors import FulfillmentNotFound, OrderNotFound
from emporium.contexts.orders.models import FulfillmentStatus, OrderStatus
from emporium.contexts.orders.refunds import RefundView, refund_order
from emporium.contexts.orders.ship import ShipFulfillment, ship_fulfillment
from emporium.kernel.http.auth import AdminPrincipal, BuyerPrincipal, SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.idempotency import IdempotencyKeyHeader
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyIn, MoneyOut, Strict
from emporium.kernel.ids import parse_id
from emporium.kernel.runtime import Runtime

router = APIRouter(tags=["orders"])


class ShipmentRead(BaseModel):
    carrier: str
    tracking_number: str | None
    status: str


class FulfillmentRead(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    vendor_id: uuid.UUID
    status: FulfillmentStatus
    subtotal: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    shipment: ShipmentRead | None
    item_ids: list[uuid.UUID]
    shipped_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, view: queries.FulfillmentView) -> FulfillmentRead:
        shipment = view.shipment
        return cls(
            id=view.id,
            order_id=view.order_id,
            vendor_id=view.vendor_id,
            status=FulfillmentStatus(view.status),
            subtotal=MoneyOut.of(view.subtotal),
            shipping=MoneyOut.of(view.shipping),
            total=MoneyOut.of(view.total),
            shipment=ShipmentRead(
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                status=shipment.status,
            )
            if shipment
            else None,
            item_ids=list(view.line_ids),
            shipped_at=view.shipped_at,
            delivered_at=view.delivered_at,
        )


class ItemRead(BaseModel):
    id: uuid.UUID
    fulfillment_id: uuid.UUID
    variant_id: uuid.UUID
    product_id: uuid.UUID
    vendor_id: uuid.UUID
    sku: str | None
    title: str
    quantity: int
    unit_price: MoneyOut
    discount: MoneyOut
    vat: MoneyOut
    total: MoneyOut

    @classmethod
    def of(cls, line: queries.LineView) -> ItemRead:
        return cls(
            id=line.id,
            fulfillment_id=line.fulfillment_id,
            variant_id=line.variant_id,
            product_id=line.product_id,
            vendor_id=line.vendor_id,
            sku=line.sku,
            title=line.title,
            quantity=line.quantity,
            unit_price=MoneyOut.of(line.unit_price),
            discount=MoneyOut.of(line.discount),
            vat=MoneyOut.of(line.vat),
            total=MoneyOut.of(line.total),
        )


class RefundRead(BaseModel):
    id: uuid.UUID
    order_id: uuid.UUID
    kind: str
    amount: MoneyOut
    reason: str
    status: str
    failure: str | None

    @classmethod
    def of(cls, refund: RefundView) -> RefundRead:
        return cls(
            id=refund.id,
            order_id=refund.order_id,
            kind=refund.kind.value,
            amount=MoneyOut.of(refund.amount),
            reason=refund.reason,
            status=refund.status.value,
            failure=refund.failure,
        )


class OrderRead(BaseModel):
    id: uuid.UUID
    number: str
    status: OrderStatus
    buyer_id: uuid.UUID
    items: list[ItemRead]
    totals: dict[str, MoneyOut]
    refunded: MoneyOut
    fulfillments: list[FulfillmentRead]
    refunds: list[RefundRead]
    shipping_address: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: queries.OrderView) -> OrderRead:
        return cls(
            id=view.id,
            number=view.number,
            status=OrderStatus(view.status),
            buyer_id=view.buyer_id,
            items=[ItemRead.of(line) for line in view.items],
            totals={name: MoneyOut.of(money) for name, money in view.totals.items()},
            refunded=MoneyOut.of(view.refunded),
            fulfillments=[FulfillmentRead.of(f) for f in view.fulfillments],
            refunds=[RefundRead.of(r) for r in view.refunds],
            shipping_address=view.shipping_address,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


class SellerFulfillmentRead(FulfillmentRead):
    """What a seller needs to pack a parcel: its items and where it goes."""

    order_number: str
    items: list[ItemRead]
    shipping_address: dict[str, Any]


class ShipCreate(Strict):
    carrier: str | None = Field(None, max_length=40)
    tracking_number: str | None = Field(None, max_length=80)


class AdminRefundCreate(Strict):
    amount: MoneyIn | None = None
    reason: str = Field(min_length=1, max_length=500)


def _page(found: queries.Slice) -> Page[OrderRead]:
    return Page(items=[OrderRead.of(view) for view in found.items], next_cursor=found.next_cursor)


async def _order(runtime: Runtime, order_id: str, buyer_id: uuid.UUID | None) -> OrderRead:
    """The order; 404 when there is none or it is another buyer's (buyer_id None: any)."""
    key = parse_id(order_id)
    async with runtime.db.read() as session:
        view = await queries.get_order_view(session, key) if key else None
    if view is None or (buyer_id is not None and view.buyer_id != buyer_id):
        raise OrderNotFound(details={"order_id": order_id})
    return OrderRead.of(view)


def _id(value: str, error: type[OrderNotFound] | type[FulfillmentNotFound]) -> uuid.UUID:
    key = parse_id(value)
    if key is None:
        raise error(details={"id": value})
    return key


@router.get("/store/orders", response_model=Page[OrderRead])
async def list_my_orders(
    principal: BuyerPrincipal,
    runtime: RuntimeDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[OrderRead]:
    """The buyer's own orders, newest first."""
    async with runtime.db.read() as session:
        found = await queries.list_orders(
            session, buyer_id=principal.user_id, limit=limit, cursor=cursor
        )
    return _page(found)


@router.get("/store/orders/{order_id}", response_model=OrderRead)
async def get_my_order(order_id: str, principal: BuyerPrincipal, runtime: RuntimeDep) -> OrderRead:
    return await _order(runtime, order_id, principal.user_id)


@router.post("/store/orders/{order_id}/cancel", response_model=OrderRead)
async def post_cancel(order_id: str, principal: BuyerPrincipal, runtime: RuntimeDep) -> OrderRead:
    """Cancel before anything shipped: stock and discounts back, the payment refunded."""
    key = _id(order_id, OrderNotFound)
    await cancel_for_buyer(runtime, CancelOrder(order_id=key, buyer_id=principal.user_id))
    return await _order(runtime, order_id, principal.user_id)


@router.post(
    "/store/orders/{order_id}/fulfillments/{fulfillment_id}/confirm-delivery",
    response_model=OrderRead,
)
async def post_confirm_delivery(
    order_id: str, fulfillment_id: str, principal: BuyerPrincipal, runtime: RuntimeDep
) -> OrderRead:
    """The buyer got the parcel: the fulfillment is delivered and the vendor's escrow may go."""
    cmd = ConfirmDelivery(
        order_id=_id(order_id, OrderNotFound),
        fulfillment_id=_id(fulfillment_id, FulfillmentNotFound),
        buyer_id=principal.user_id,
    )
    async with runtime.uow() as uow:
        await confirm_delivery(uow, cmd)
        await uow.commit()
    return await _order(runtime, order_id, principal.user_id)


async def _seller_fulfillment(
    runtime: Runtime, fulfillment_id: uuid.UUID, vendor_id: uuid.UUID | None
) -> SellerFulfillmentRead:
    async with runtime.db.read() as session:
        found = await queries.get_fulfillment(session, fulfillment_id)
        if found is None or (vendor_id is not None and found.vendor_id != vendor_id):
            raise FulfillmentNotFound(details={"fulfillment_id": str(fulfillment_id)})
        order = await queries.get_order_view(session, found.order_id)
    assert order is not None, "a fulfillment's order exists"
    return SellerFulfillmentRead(
        **FulfillmentRead.of(found).model_dump(),
        order_number=order.number,
        items=[ItemRead.of(line) for line in order.items if line.fulfillment_id == found.id],
        shipping_address=order.shipping_address,
    )


@router.get("/seller/fulfillments", response_model=Page[FulfillmentRead])
async def list_fulfillments(
    principal: SellerOrAdminPrincipal,
    runtime: RuntimeDep,
    status: Annotated[FulfillmentStatus | None, Query()] = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[FulfillmentRead]:
    """The seller's own vendor's fulfillments (an admin's: everyone's), newest first."""
    async with runtime.db.read() as session:
        found = await queries.list_fulfillments(
            session,
            vendor_id=principal.vendor_scope,
            status=status.value if status else None,
            limit=limit,
            cursor=cursor,
        )
    return Page(items=[FulfillmentRead.of(f) for f in found.items], next_cursor=found.next_cursor)


@router.get("/seller/fulfillments/{fulfillment_id}", response_model=SellerFulfillmentRead)
async def get_fulfillment(
    fulfillment_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> SellerFulfillmentRead:
    key = _id(fulfillment_id, FulfillmentNotFound)
    return await _seller_fulfillment(runtime, key, principal.vendor_scope)


@router.post("/seller/fulfillments/{fulfillment_id}/ship", response_model=SellerFulfillmentRead)
async def post_ship(
    fulfillment_id: str, body: ShipCreate, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> SellerFulfillmentRead:
    """The parcel was handed to the carrier: the fulfillment (and maybe the order) is shipped."""
    key = _id(fulfillment_id, FulfillmentNotFound)
    cmd = ShipFulfillment(
        fulfillment_id=key,
        vendor_id=principal.vendor_scope,
        carrier=body.carrier,
        tracking_number=body.tracking_number,
    )
    async with runtime.uow() as uow:
        await ship_fulfillment(uow, cmd)
        await uow.commit()
    return await _seller_fulfillment(runtime, key, principal.vendor_scope)


@router.get("/admin/orders", response_model=Page[OrderRead])
async def list_all_orders(
    _: AdminPrincipal,
    runtime: RuntimeDep,
    status: Annotated[OrderStatus | None, Query()] = None,
    vendor_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[OrderRead]:
    """Every order, newest first, by status or by a vendor taking part."""
    async with runtime.db.read() as session:
        found = await queries.list_orders(
            session,
            status=status.value if status else None,
            vendor_id=vendor_id,
            limit=limit,
            cursor=cursor,
        )
    return _page(found)


@router.get("/admin/orders/{order_id}", response_model=OrderRead)
async def get_any_order(order_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> OrderRead:
    return await _order(runtime, order_id, None)


@router.post("/admin/orders/{order_id}/refund", status_code=201, response_model=RefundRead)
async def post_admin_refund(
    order_id: str,
    body: AdminRefundCreate,
    _: AdminPrincipal,
    idempotency_key: IdempotencyKeyHeader,
    runtime: RuntimeDep,
) -> RefundRead:
    """Refund all that is left (no amount) or part of it; the order is refunded once all is."""
    refund = await refund_order(
        runtime,
        order_id=_id(order_id, OrderNotFound),
        key=idempotency_key,
        reason=body.reason,
        amount=body.amount.to_money() if body.amount else None,
    )
    return RefundRead.of(refund)
