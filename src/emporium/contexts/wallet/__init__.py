"""Wallet: the double-entry ledger, buyer wallets, escrow holds, commission and payouts.

The public facade other contexts (checkout, orders, notifications) may use. Functions that
take a unit of work post inside the caller's transaction; `top_up` talks to the card
gateway and takes the runtime (call it with no unit of work open). See docs/wallet.md.
"""

from __future__ import annotations

from emporium.contexts.wallet import payouts
from emporium.contexts.wallet.api import router
from emporium.contexts.wallet.errors import (
    CauseConflict,
    HoldAlreadyResolved,
    HoldNotFound,
    InsufficientFunds,
    RefundExceedsHold,
    UnbalancedTransaction,
)
from emporium.contexts.wallet.escrow import (
    RELEASE_JOB,
    HoldView,
    commission_rate_for,
    dispute_hold,
    hold_in_escrow,
    release_due_holds_job,
    release_hold,
)
from emporium.contexts.wallet.escrow_refunds import refund_hold
from emporium.contexts.wallet.events import (
    FundsLocked,
    FundsReleased,
    PayoutFailed,
    PayoutPaid,
    PayoutRequested,
    Refunded,
    WalletPaid,
    WalletPaymentReturned,
    WalletToppedUp,
)
from emporium.contexts.wallet.ledger import (
    AccountRef,
    Cause,
    EntryView,
    TransactionView,
    account_for,
    balance,
    find_account,
    find_transaction,
    post,
)
from emporium.contexts.wallet.models import (
    AccountKind,
    HoldStatus,
    PayoutStatus,
    ReleaseReason,
    TopUpStatus,
    TransactionKind,
)
from emporium.contexts.wallet.order_escrow import ORDER_ESCROW, order_escrow
from emporium.contexts.wallet.payout_adapter import GuardedPayoutAdapter, PayoutAdapter
from emporium.contexts.wallet.payout_sender import PayoutSender
from emporium.contexts.wallet.payouts import SEND_JOB, PayoutView, RequestPayout, request_payout
from emporium.contexts.wallet.queries import (
    BalanceMismatch,
    StatementLine,
    VendorBalances,
    check_balances,
    get_hold,
    holds_of_order,
    statement,
    trial_balance,
    vendor_balances,
    wallet_balance,
)
from emporium.contexts.wallet.sandbox import SandboxPayoutAdapter
from emporium.contexts.wallet.subscribers import CHECK_JOB, check_ledger_job, top_ups
from emporium.contexts.wallet.top_up import TopUpView, TopUpWallet, top_up
from emporium.contexts.wallet.wallet_payment import pay_from_wallet, return_wallet_payment
from emporium.kernel import jobs
from emporium.kernel.recurrence import DailyAt
from emporium.kernel.resilience import guard_for
from emporium.kernel.runtime import Runtime

PAYOUT_SENDER = "wallet.payout_sender"

__all__ = [
    "CHECK_JOB",
    "ORDER_ESCROW",
    "PAYOUT_SENDER",
    "RELEASE_JOB",
    "SEND_JOB",
    "AccountKind",
    "AccountRef",
    "BalanceMismatch",
    "Cause",
    "CauseConflict",
    "EntryView",
    "FundsLocked",
    "FundsReleased",
    "HoldAlreadyResolved",
    "HoldNotFound",
    "HoldStatus",
    "HoldView",
    "InsufficientFunds",
    "PayoutAdapter",
    "PayoutFailed",
    "PayoutPaid",
    "PayoutRequested",
    "PayoutSender",
    "PayoutStatus",
    "PayoutView",
    "RefundExceedsHold",
    "Refunded",
    "ReleaseReason",
    "RequestPayout",
    "StatementLine",
    "TopUpStatus",
    "TopUpView",
    "TopUpWallet",
    "TransactionKind",
    "TransactionView",
    "UnbalancedTransaction",
    "VendorBalances",
    "WalletPaid",
    "WalletPaymentReturned",
    "WalletToppedUp",
    "account_for",
    "balance",
    "check_balances",
    "commission_rate_for",
    "dispute_hold",
    "find_account",
    "find_transaction",
    "get_hold",
    "hold_in_escrow",
    "holds_of_order",
    "pay_from_wallet",
    "payout_sender",
    "payouts",
    "post",
    "refund_hold",
    "release_hold",
    "request_payout",
    "return_wallet_payment",
    "router",
    "statement",
    "top_up",
    "trial_balance",
    "vendor_balances",
    "wallet_balance",
    "wire",
]


def payout_sender(runtime: Runtime) -> PayoutSender:
    """The process's payout sender (tests drain it after running the send job)."""
    return runtime.service(PAYOUT_SENDER, PayoutSender)


def wire(runtime: Runtime) -> None:
    """Build the payout adapter (sandbox) behind its guard; register jobs and subscribers.

    `wallet.order_escrow` holds, releases and refunds orders' money (see order_escrow.py).
    """
    settings = runtime.settings
    guard = guard_for(
        "wallet.payouts", settings=settings, clock=runtime.clock, metrics=runtime.metrics
    )
    adapter = GuardedPayoutAdapter(SandboxPayoutAdapter(runtime.uow), guard)
    sender = PayoutSender(
        runtime.uow, adapter, retry_base_seconds=settings.dispatcher_retry_base_seconds
    )
    runtime.provide(PAYOUT_SENDER, sender)
    runtime.on_close(sender.drain)
    runtime.jobs.add(SEND_JOB, sender.job)
    runtime.jobs.add(RELEASE_JOB, release_due_holds_job(settings.commission_rate))
    runtime.jobs.add(CHECK_JOB, check_ledger_job)
    jobs.register_recurring(runtime, kind=CHECK_JOB, every=DailyAt(4, 0))
    runtime.subscribers.add(top_ups())
    runtime.subscribers.add(
        order_escrow(
            hold_seconds=settings.escrow_hold_seconds, default_rate=settings.commission_rate
        )
    )
