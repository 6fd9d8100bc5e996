"""Events the wallet publishes (wire names `wallet.*`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from emporium.kernel.events import DomainEvent
from emporium.kernel.money import Money


@dataclass(frozen=True, kw_only=True)
class HoldEvent(DomainEvent):
    aggregate_type = "escrow_hold"
    aggregate_field = "hold_id"
    hold_id: uuid.UUID
    fulfillment_id: uuid.UUID
    order_id: uuid.UUID | None
    vendor_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class FundsLocked(HoldEvent):
    type = "wallet.funds_locked"
    amount: Money
    locked_until: datetime


@dataclass(frozen=True, kw_only=True)
class FundsReleased(HoldEvent):
    """What the vendor is told in real time: `amount` is what reached its available balance."""

    type = "wallet.funds_released"
    amount: Money
    gross: Money
    commission: Money
    debt_settled: Money
    reason: str


@dataclass(frozen=True, kw_only=True)
class Refunded(HoldEvent):
    type = "wallet.refunded"
    refund_id: str
    amount: Money
    after_release: bool
    to_wallet_of: uuid.UUID | None
    vendor_debited: Money
    commission_returned: Money
    debt_recorded: Money


@dataclass(frozen=True, kw_only=True)
class PayoutEvent(DomainEvent):
    aggregate_type = "payout"
    aggregate_field = "payout_id"
    payout_id: uuid.UUID
    vendor_id: uuid.UUID
    amount: Money


@dataclass(frozen=True, kw_only=True)
class PayoutRequested(PayoutEvent):
    type = "wallet.payout_requested"


@dataclass(frozen=True, kw_only=True)
class PayoutPaid(PayoutEvent):
    type = "wallet.payout_paid"
    reference: str | None


@dataclass(frozen=True, kw_only=True)
class PayoutFailed(PayoutEvent):
    type = "wallet.payout_failed"
    reason: str


@dataclass(frozen=True, kw_only=True)
class WalletEvent(DomainEvent):
    aggregate_type = "wallet"
    aggregate_field = "buyer_id"
    buyer_id: uuid.UUID
    amount: Money


@dataclass(frozen=True, kw_only=True)
class WalletToppedUp(WalletEvent):
    type = "wallet.topped_up"
    top_up_id: uuid.UUID
    payment_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class WalletPaid(WalletEvent):
    """The buyer paid (a checkout) from the wallet."""

    type = "wallet.paid"
    cause_type: str
    cause_id: str


@dataclass(frozen=True, kw_only=True)
class WalletPaymentReturned(WalletEvent):
    """A wallet payment was given back (a failed checkout's compensation)."""

    type = "wallet.payment_returned"
    cause_type: str
    cause_id: str
