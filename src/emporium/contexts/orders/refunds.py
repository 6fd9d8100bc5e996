"""Refunds of an order, full or partial, as a small durable saga (`orders.refund`).

The amount is reserved on the order (`refunded`, checked against the total by the database)
in the same transaction that records the refund and begins its saga, so two refunds racing
each other can never together exceed what was paid. The saga then cancels the shipments of a
cancelled order and sends the money back (card: `payments.refund`, keyed by the refund; wallet:
a ledger posting caused by the refund), with no transaction open across the gateway call; its
last step settles the refund, and the order becomes `refunded` once nothing is left. A refund
the gateway refuses gives its reservation back. A process that dies midway leaves the saga
to recovery, which finishes it: nothing is sent twice, since every call carries a key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import select

from emporium.contexts import payments, shipping, wallet
from emporium.contexts.orders.errors import NothingToRefund, RefundTooLarge
from emporium.contexts.orders.events import OrderRefunded
from emporium.contexts.orders.lifecycle import locked_order, order_event
from emporium.contexts.orders.models import (
    FOLLOWS_FULFILLMENTS,
    Fulfillment,
    Order,
    OrderRefund,
    OrderStatus,
    RefundKind,
    RefundStatus,
    refuse,
)
from emporium.kernel import saga
from emporium.kernel.errors import DomainError, InvalidStateTransition
from emporium.kernel.ids import new_id
from emporium.kernel.money import Money
from emporium.kernel.runtime import Runtime
from emporium.kernel.saga import StepContext, StepFailed
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.orders")

WALLET = "wallet"


@dataclass(frozen=True)
class RefundView:
    id: uuid.UUID
    order_id: uuid.UUID
    kind: RefundKind
    amount: Money
    reason: str
    status: RefundStatus
    failure: str | None

    @classmethod
    def of(cls, row: OrderRefund) -> RefundView:
        return cls(
            id=row.id,
            order_id=row.order_id,
            kind=RefundKind(row.kind),
            amount=Money(row.amount, row.currency),
            reason=row.reason,
            status=RefundStatus(row.status),
            failure=row.failure,
        )


async def begin_refund(
    uow: UnitOfWork,
    order: Order,
    *,
    key: str,
    kind: RefundKind,
    reason: str,
    amount: Money | None = None,
    cancel_shipments: bool = False,
) -> tuple[OrderRefund, uuid.UUID]:
    """Reserve amount (None: all that is left) on the locked order and begin its refund saga.

    The same key again returns the first refund and its saga.
    """
    existing = await find_refund(uow, key)
    if existing is not None:
        return existing, await saga.begin(uow, REFUND, key=_saga_key(existing.id), data={})
    wanted = amount if amount is not None else order.refundable
    if order.refundable.amount <= 0 or not has_payment(order):
        raise NothingToRefund(details={"order_id": str(order.id)})
    if wanted.currency != order.currency or not 0 < wanted.amount <= order.refundable.amount:
        raise RefundTooLarge(
            details={"requested": wanted.to_dict(), "refundable": order.refundable.to_dict()}
        )
    now = uow.clock.now()
    refund = OrderRefund(
        id=new_id(),
        order_id=order.id,
        key=key,
        kind=kind.value,
        amount=wanted.amount,
        currency=wanted.currency,
        reason=reason[:500],
        status=RefundStatus.PENDING.value,
        created_at=now,
    )
    uow.session.add(refund)
    order.refunded += wanted.amount
    order.updated_at = now
    data = {
        "refund_id": refund.id,
        "order_id": order.id,
        "buyer_id": order.buyer_id,
        "amount": wanted,
        "payment_method": order.payment_method,
        "payment_id": order.payment_id,
        "cancel_shipments": cancel_shipments,
        "reason": reason[:200],
    }
    return refund, await saga.begin(uow, REFUND, key=_saga_key(refund.id), data=data)


async def find_refund(uow: UnitOfWork, key: str) -> OrderRefund | None:
    """The refund begun with key, if any."""
    refund: OrderRefund | None = await uow.session.scalar(
        select(OrderRefund).where(OrderRefund.key == key)
    )
    return refund


def has_payment(order: Order) -> bool:
    """Whether money was taken for order (a free order, or one not yet paid, has none)."""
    return order.total > 0 and (order.payment_method == WALLET or order.payment_id is not None)


async def refund_order(
    runtime: Runtime,
    *,
    order_id: uuid.UUID,
    key: str,
    reason: str,
    amount: Money | None = None,
) -> RefundView:
    """An admin's refund, full (amount None) or partial, once per key; its state when it rests."""
    async with runtime.uow() as uow:
        order = await locked_order(uow, order_id)
        if order.status == OrderStatus.PENDING:
            raise refuse("order", order.status, OrderStatus.REFUNDED)
        refund, saga_id = await begin_refund(
            uow,
            order,
            key=f"admin-refund:{order_id}:{key}",
            kind=RefundKind.ADMIN,
            reason=reason,
            amount=amount,
        )
        refund_id = refund.id
        await uow.commit()
    await saga.run(runtime, saga_id)
    async with runtime.db.read() as session:
        row = await session.get(OrderRefund, refund_id)
    assert row is not None, "refunds are never deleted"
    return RefundView.of(row)


def _saga_key(refund_id: uuid.UUID) -> str:
    return f"order-refund:{refund_id}"


def _amount(ctx: StepContext) -> Money:
    return Money(int(ctx.data["amount"]["amount"]), str(ctx.data["amount"]["currency"]))


async def cancel_shipments(ctx: StepContext) -> dict[str, Any]:
    """A cancelled order's parcels are not sent: cancel the bookings not handed over yet."""
    if not ctx.data.get("cancel_shipments"):
        return {}
    async with ctx.runtime.db.read() as session:
        shipment_ids = list(
            await session.scalars(
                select(Fulfillment.shipment_id)
                .where(
                    Fulfillment.order_id == uuid.UUID(ctx.data["order_id"]),
                    Fulfillment.shipment_id.is_not(None),
                )
                .order_by(Fulfillment.vendor_id)
            )
        )
    for shipment_id in shipment_ids:
        assert shipment_id is not None
        try:
            await shipping.cancel_shipment(
                ctx.runtime, shipment_id=shipment_id, key=ctx.key_for(str(shipment_id))
            )
        except InvalidStateTransition:
            # Scanned by the carrier after the order was cancelled: the buyer is refunded
            # all the same, and the parcel is a return for the vendor to handle.
            log.warning("cancelled_order_parcel_on_its_way", shipment_id=str(shipment_id))
    return {}


async def send_refund(ctx: StepContext) -> dict[str, Any]:
    """Send the money back the way it came: the card (gateway) or the wallet (ledger)."""
    amount, refund_id = _amount(ctx), uuid.UUID(ctx.data["refund_id"])
    if ctx.data["payment_method"] == WALLET:
        cause = wallet.Cause.of("order_refund", refund_id)
        async with ctx.effect() as uow:
            await wallet.return_wallet_payment(
                uow, buyer_id=uuid.UUID(ctx.data["buyer_id"]), amount=amount, cause=cause
            )
        return {}
    try:
        outcome = await payments.refund(
            ctx.runtime,
            payment_id=uuid.UUID(ctx.data["payment_id"]),
            key=f"order-refund:{refund_id}",
            amount=amount,
            reason=str(ctx.data.get("reason", "")),
        )
    except DomainError as exc:  # the gateway or our payment record refuses: nothing was sent
        raise StepFailed(exc.code, exc.message, exc.details) from exc
    if outcome.status is payments.RefundStatus.FAILED:
        raise StepFailed("PAYMENT_FAILED", "The gateway refused the refund", {"key": outcome.id})
    if outcome.status is not payments.RefundStatus.SUCCEEDED:
        raise RuntimeError(f"refund {outcome.id} is {outcome.status}; trying again")
    return {"payment_refund_id": outcome.id}


async def give_back_reservation(ctx: StepContext) -> None:
    """The refund failed: its amount becomes refundable again."""
    async with ctx.effect() as uow:
        refund = await uow.session.get(
            OrderRefund, uuid.UUID(ctx.data["refund_id"]), with_for_update=True
        )
        if refund is None or refund.status != RefundStatus.PENDING:
            return
        order = await locked_order(uow, refund.order_id)
        order.refunded -= refund.amount
        refund.status = RefundStatus.FAILED.value
        refund.failure = str((ctx.failure or {}).get("message", "refund failed"))[:500]
        refund.finished_at = uow.clock.now()


async def settle(ctx: StepContext) -> None:
    """Mark the refund done; an order with nothing left to refund becomes `refunded`."""
    async with ctx.effect() as uow:
        order = await locked_order(uow, uuid.UUID(ctx.data["order_id"]))
        refund = await uow.session.get(
            OrderRefund, uuid.UUID(ctx.data["refund_id"]), with_for_update=True
        )
        assert refund is not None, "the refund row commits with its saga"
        if refund.status != RefundStatus.PENDING:
            return
        refund.status = RefundStatus.SUCCEEDED.value
        refund.finished_at = uow.clock.now()
        fully = order.refunded == order.total
        if fully and OrderStatus(order.status) in FOLLOWS_FULFILLMENTS:
            order.move_to(OrderStatus.REFUNDED, uow.clock.now())
        uow.record(
            order_event(
                OrderRefunded,
                order,
                refund_id=refund.id,
                amount=order.money(refund.amount),
                refunded_total=order.money(order.refunded),
                fully_refunded=fully,
                reason=refund.reason[:200],
            )
        )


REFUND = saga.SagaType(
    "orders.refund",
    steps=[
        saga.Step("cancel_shipments", action=cancel_shipments),
        saga.Step("send_refund", action=send_refund, compensation=give_back_reservation),
        saga.Step("settle", action=settle),
    ],
    # An outage is retried with backoff for a long while before a refund is given up.
    max_attempts=25,
)
