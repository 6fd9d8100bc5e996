"""Escrow driven by orders: the subscriber `wallet.order_escrow`.

    orders.fulfillment_created   → hold its total in escrow (clearing → escrow), timer set
    orders.fulfillment_cancelled → refund what is left of its hold (escrow → clearing)
    orders.delivery_confirmed    → release its hold (escrow → vendor + commission)
    orders.order_refunded        → split the refund over the order's holds and refund each

Every refund here goes to gateway clearing, never to a wallet or a card: sending the money
on to the buyer is the payment side's job, done once by whoever owns it (the checkout saga's
`undo_payment` for a failed checkout, the orders refund saga's `send_refund` for a refund),
by card or by `return_wallet_payment` (clearing → wallet). So each euro leaves escrow once
(a hold cannot give back more than it holds) and reaches the buyer once.

Every posting is idempotent by its cause (the fulfillment, the hold, a refund id derived
from the fulfillment or from the order refund's id), so a redelivered or replayed event
finds its work done. The subscriber handles one event per unit of work (batch_size 1): the
wallet's lock order holds per posting, and a unit making several postings over shared
accounts must lock them all first, which `_refund_order` does for its several holds.
See docs/wallet.md, "Orders and escrow".
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy import select

from emporium.contexts.wallet.errors import HoldAlreadyResolved
from emporium.contexts.wallet.escrow import commission_rate_for, hold_in_escrow, release_hold
from emporium.contexts.wallet.escrow_refunds import REFUND_KINDS, refund_hold
from emporium.contexts.wallet.ledger import AccountRef, account_for, lock_accounts
from emporium.contexts.wallet.models import AccountKind, EscrowHold, LedgerTransaction
from emporium.kernel.events import StoredEvent
from emporium.kernel.money import Money
from emporium.kernel.registry import Subscriber
from emporium.kernel.uow import UnitOfWork

log = structlog.get_logger("emporium.wallet")

ORDER_ESCROW = "wallet.order_escrow"

# The orders context imports the wallet's facade (its refunds post wallet payments back), so
# the wallet reads orders' events by their names and keeps the dependency one-way.
FULFILLMENT_CREATED = "orders.fulfillment_created"
FULFILLMENT_CANCELLED = "orders.fulfillment_cancelled"
DELIVERY_CONFIRMED = "orders.delivery_confirmed"
ORDER_REFUNDED = "orders.order_refunded"


@dataclass(frozen=True)
class EscrowPolicy:
    hold_for: timedelta
    default_rate: Decimal


Handler = Callable[[StoredEvent, UnitOfWork, EscrowPolicy], Awaitable[None]]


def order_escrow(*, hold_seconds: int, default_rate: Decimal) -> Subscriber:
    """The subscriber that moves orders' money through escrow."""
    policy = EscrowPolicy(timedelta(seconds=hold_seconds), default_rate)
    handlers: dict[str, Handler] = {
        FULFILLMENT_CREATED: _hold_fulfillment,
        FULFILLMENT_CANCELLED: _refund_cancelled,
        DELIVERY_CONFIRMED: _release_confirmed,
        ORDER_REFUNDED: _refund_order,
    }

    async def handle(event: StoredEvent, uow: UnitOfWork) -> None:
        await handlers[event.type](event, uow, policy)

    async def reset(uow: UnitOfWork) -> None:
        # Nothing to clear: the ledger is append-only and every posting here is idempotent
        # by its cause, so a replay finds each event's work done and changes nothing.
        return None

    return Subscriber(
        name=ORDER_ESCROW, handle=handle, types=list(handlers), reset=reset, batch_size=1
    )


async def _hold_fulfillment(event: StoredEvent, uow: UnitOfWork, policy: EscrowPolicy) -> None:
    """Hold the fulfillment's money, locked from when it was placed (not when handled)."""
    data = event.payload
    amount = _money(data["total"])
    if amount.amount <= 0:
        return  # a free fulfillment (discounted to nothing) has no money to hold
    await hold_in_escrow(
        uow,
        fulfillment_id=_id(data["id"]),
        vendor_id=_id(data["vendor_id"]),
        amount=amount,
        locked_until=event.occurred_at + policy.hold_for,
        order_id=_id(data["order_id"]),
    )


async def _refund_cancelled(event: StoredEvent, uow: UnitOfWork, policy: EscrowPolicy) -> None:
    """A cancelled fulfillment's hold goes back to clearing in full, whatever is left of it."""
    fulfillment_id = _id(event.payload["id"])
    hold = await _hold_of(uow, fulfillment_id)
    if hold is None:
        return
    left = hold.amount - hold.refunded_amount
    if left <= 0:
        return  # refunded already (this event again, or order refunds took it all)
    # Released by the timer before the cancellation: refund_hold takes it back from the vendor.
    await refund_hold(
        uow, hold.id, hold.money(left), refund_id=f"fulfillment_cancelled:{fulfillment_id}"
    )


async def _release_confirmed(event: StoredEvent, uow: UnitOfWork, policy: EscrowPolicy) -> None:
    """The buyer confirmed delivery: release the hold at the vendor's commission rate."""
    fulfillment_id = _id(event.payload["fulfillment_id"])
    hold = await _hold_of(uow, fulfillment_id)
    if hold is None:
        return
    rate = await commission_rate_for(uow.session, hold.vendor_id, policy.default_rate)
    try:
        await release_hold(uow, hold.id, commission_rate=rate)
    except HoldAlreadyResolved:
        return  # the timer released it first, or it was refunded in full: nothing to do


async def _refund_order(event: StoredEvent, uow: UnitOfWork, policy: EscrowPolicy) -> None:
    """Split an order refund over the order's holds in proportion to what each has left."""
    data = event.payload
    amount = _money(data["amount"])
    holds = await _locked_holds(uow, _id(data["id"]), amount.currency)
    refund_ids = {
        hold.id: f"order_refund:{data['refund_id']}:{hold.fulfillment_id}" for hold in holds
    }
    if not holds or await _refunded_before(uow, list(refund_ids.values())):
        return
    weights = [hold.amount - hold.refunded_amount for hold in holds]
    covered = min(amount.amount, sum(weights))
    if covered < amount.amount:
        # Expected when the buyer cancelled: the cancellation refunded the holds in full.
        log.info(
            "escrow_refund_covered_before",
            order_id=data["id"],
            refund_id=data["refund_id"],
            amount=amount.amount,
            from_escrow=covered,
        )
    if covered == 0:
        return
    await lock_accounts(uow.session, await _accounts_of(uow, holds, amount.currency))
    for hold, share in zip(holds, Money(covered, amount.currency).allocate(weights), strict=True):
        if share:
            await refund_hold(uow, hold.id, share, refund_id=refund_ids[hold.id])


async def _hold_of(uow: UnitOfWork, fulfillment_id: uuid.UUID) -> EscrowHold | None:
    """The fulfillment's hold, locked (the hold row before any account); None (logged) if none."""
    hold: EscrowHold | None = await uow.session.scalar(
        select(EscrowHold)
        .where(EscrowHold.fulfillment_id == fulfillment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if hold is None:
        # A free fulfillment has no hold. Otherwise its fulfillment_created was parked as a
        # dead letter: an operator retrying it must then refund or release the hold by hand.
        log.warning("escrow_nothing_held", fulfillment_id=str(fulfillment_id))
    return hold


async def _locked_holds(uow: UnitOfWork, order_id: uuid.UUID, currency: str) -> list[EscrowHold]:
    """The order's holds in currency, locked in id order (hold rows before accounts)."""
    rows = await uow.session.scalars(
        select(EscrowHold)
        .where(EscrowHold.order_id == order_id, EscrowHold.currency == currency)
        .order_by(EscrowHold.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def _refunded_before(uow: UnitOfWork, refund_ids: list[str]) -> bool:
    """Whether any part of this order refund was posted (its parts commit together)."""
    found = await uow.session.scalar(
        select(LedgerTransaction.id)
        .where(
            LedgerTransaction.kind.in_([kind.value for kind in REFUND_KINDS]),
            LedgerTransaction.cause_type == "refund",
            LedgerTransaction.cause_id.in_(refund_ids),
        )
        .limit(1)
    )
    return found is not None


async def _accounts_of(uow: UnitOfWork, holds: list[EscrowHold], currency: str) -> list[AccountRef]:
    """Every account a refund of these holds may post to, before or after release."""
    accounts = [
        await account_for(uow, AccountKind.GATEWAY_CLEARING, None, currency),
        await account_for(uow, AccountKind.PLATFORM_COMMISSION, None, currency),
    ]
    vendor_kinds = (AccountKind.ESCROW, AccountKind.VENDOR_AVAILABLE, AccountKind.VENDOR_RECEIVABLE)
    for vendor_id in sorted({hold.vendor_id for hold in holds}):
        for kind in vendor_kinds:
            accounts.append(await account_for(uow, kind, vendor_id, currency))
    return accounts


def _id(value: Any) -> uuid.UUID:
    return uuid.UUID(str(value))


def _money(value: dict[str, Any]) -> Money:
    return Money(int(value["amount"]), str(value["currency"]))
