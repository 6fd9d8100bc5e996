"""Wallet tables: the ledger (accounts, transactions, entries), escrow holds, payouts, top-ups.

Sign convention: an entry's amount is signed, positive = credit, negative = debit, and an
account's balance is the sum of its entries (credits minus debits). Accounts that hold money
for someone (a buyer's wallet, a vendor's balances, escrow, commission) therefore have
positive balances; the accounts that mirror the outside world (gateway clearing, a vendor's
debt) go negative. Every transaction's entries sum to zero per currency, so the sum of all
balances of a currency (the trial balance) is zero.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from emporium.kernel.db import Base, JSONType, UTCDateTime, UUIDType
from emporium.kernel.money import Money


class AccountKind(StrEnum):
    BUYER_WALLET = "buyer_wallet"  # owner: user; money a buyer can spend
    VENDOR_AVAILABLE = "vendor_available"  # owner: vendor; released funds it can pay out
    ESCROW = "escrow"  # owner: vendor; held for its fulfillments (the vendor's "pending")
    VENDOR_RECEIVABLE = "vendor_receivable"  # owner: vendor; negative = what it owes us
    PAYOUTS_IN_TRANSIT = "payouts_in_transit"  # owner: vendor; on the way to its bank
    PLATFORM_COMMISSION = "platform_commission"  # platform: commission earned
    GATEWAY_CLEARING = "gateway_clearing"  # platform: mirror of money at the card gateway
    PAYOUTS_PAID = "payouts_paid"  # platform: money that left for vendors' banks


PLATFORM_KINDS = frozenset(
    {AccountKind.PLATFORM_COMMISSION, AccountKind.GATEWAY_CLEARING, AccountKind.PAYOUTS_PAID}
)
# Accounts that mirror the outside world or a debt may go negative; every other one holds
# real money for someone and never does (TigerBeetle's debits_must_not_exceed_credits).
MAY_GO_NEGATIVE = frozenset({AccountKind.GATEWAY_CLEARING, AccountKind.VENDOR_RECEIVABLE})


class TransactionKind(StrEnum):
    TOP_UP = "top_up"
    WALLET_PAYMENT = "wallet_payment"
    WALLET_PAYMENT_REFUND = "wallet_payment_refund"
    ESCROW_HOLD = "escrow_hold"
    ESCROW_RELEASE = "escrow_release"
    ESCROW_REFUND = "escrow_refund"
    REFUND_AFTER_RELEASE = "refund_after_release"
    PAYOUT = "payout"
    PAYOUT_PAID = "payout_paid"
    PAYOUT_RETURNED = "payout_returned"
    CORRECTION = "correction"


class Account(Base):
    """One ledger account: a kind, an owner (none for platform accounts) and a currency."""

    __tablename__ = "wallet_account"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    # kind:owner:currency, unique, so that concurrent first uses create one account.
    code: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    must_not_go_negative: Mapped[bool] = mapped_column(Boolean)
    balance: Mapped[int] = mapped_column(BigInteger)
    # How many entries the account has: the version after each posting is on its entry.
    version: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("NOT must_not_go_negative OR balance >= 0", name="balance_not_negative"),
    )


class LedgerTransaction(Base):
    """A posted transaction: immutable, idempotent by (kind, cause)."""

    __tablename__ = "wallet_transaction"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    cause_type: Mapped[str] = mapped_column(String(30))
    cause_id: Mapped[str] = mapped_column(String(120))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType)

    __table_args__ = (UniqueConstraint("kind", "cause_type", "cause_id"),)


class Entry(Base):
    """One leg of a transaction on one account: immutable once posted."""

    __tablename__ = "wallet_entry"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    transaction_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("wallet_transaction.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[uuid.UUID] = mapped_column(
        UUIDType, ForeignKey("wallet_account.id", ondelete="RESTRICT")
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    balance_after: Mapped[int] = mapped_column(BigInteger)
    account_version: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        # One entry per balance step of an account: its history is a gapless sequence.
        UniqueConstraint("account_id", "account_version"),
    )


class HoldStatus(StrEnum):
    HELD = "held"
    PARTIALLY_REFUNDED = "partially_refunded"
    DISPUTED = "disputed"
    RELEASED = "released"
    REFUNDED = "refunded"


# A hold in one of these still has money in escrow.
OPEN_HOLD = frozenset({HoldStatus.HELD, HoldStatus.PARTIALLY_REFUNDED, HoldStatus.DISPUTED})
# The timer releases only undisputed open holds.
TIMER_RELEASABLE = frozenset({HoldStatus.HELD, HoldStatus.PARTIALLY_REFUNDED})


class ReleaseReason(StrEnum):
    CONFIRMED = "confirmed"  # the buyer confirmed delivery
    TIMER = "timer"  # locked_until passed
    MANUAL = "manual"  # an admin or a resolved dispute


class EscrowHold(Base):
    """Money of one vendor fulfillment held in escrow until delivery (or the timer)."""

    __tablename__ = "wallet_escrow_hold"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    fulfillment_id: Mapped[uuid.UUID] = mapped_column(UUIDType, unique=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType, index=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    refunded_amount: Mapped[int] = mapped_column(BigInteger)
    # Net of refunds after release: amount = released + commission + refunded + still held.
    released_amount: Mapped[int] = mapped_column(BigInteger)
    commission_amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    release_reason: Mapped[str | None] = mapped_column(String(20))
    locked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "refunded_amount >= 0 AND released_amount >= 0 AND commission_amount >= 0",
            name="parts_not_negative",
        ),
        CheckConstraint(
            "refunded_amount + released_amount + commission_amount <= amount",
            name="parts_within_amount",
        ),
    )

    def money(self, minor: int) -> Money:
        return Money(minor, self.currency)

    @property
    def held_amount(self) -> int:
        """What is still in escrow for this hold."""
        if HoldStatus(self.status) in OPEN_HOLD:
            return self.amount - self.refunded_amount
        return 0


class PayoutStatus(StrEnum):
    PENDING = "pending"  # the money is in transit; the payout adapter has not confirmed
    PAID = "paid"
    FAILED = "failed"


class Payout(Base):
    """A vendor's withdrawal of available funds to a bank account."""

    __tablename__ = "wallet_payout"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    vendor_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    key: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    iban: Mapped[str] = mapped_column(String(34))
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(80))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("vendor_id", "key"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class TopUpStatus(StrEnum):
    PENDING = "pending"  # the payment has not succeeded yet (3-D Secure, or an outage)
    COMPLETED = "completed"
    FAILED = "failed"


class TopUp(Base):
    """A buyer's top-up of their wallet by card: the payment's owner is the top-up."""

    __tablename__ = "wallet_top_up"

    id: Mapped[uuid.UUID] = mapped_column(UUIDType, primary_key=True)
    buyer_id: Mapped[uuid.UUID] = mapped_column(UUIDType)
    key: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))
    payment_id: Mapped[uuid.UUID | None] = mapped_column(UUIDType)
    payment_reference: Mapped[str | None] = mapped_column(String(80))
    failure_reason: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("buyer_id", "key"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
