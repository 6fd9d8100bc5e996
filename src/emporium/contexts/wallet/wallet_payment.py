"""Paying with the wallet (a checkout's `{"method": "wallet"}`), and giving such a payment back.

A wallet payment moves the money from the buyer's wallet to gateway clearing: the very
account a card capture is booked against. So whatever the method, the checkout then moves
the order's money from clearing into escrow with `hold_in_escrow`, one hold per vendor
fulfillment, and nothing after payment needs to know how the buyer paid.
"""

from __future__ import annotations

import uuid

from emporium.contexts.wallet.errors import InsufficientFunds
from emporium.contexts.wallet.events import WalletPaid, WalletPaymentReturned
from emporium.contexts.wallet.ledger import Cause, TransactionView, account_for, post
from emporium.contexts.wallet.models import AccountKind, TransactionKind
from emporium.kernel.errors import PaymentFailed, ValidationFailed
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork

INSUFFICIENT_FUNDS = "insufficient_funds"


def positive(amount: Money) -> Money:
    """amount, or 422 VALIDATION_ERROR when it is not more than zero."""
    if amount.amount <= 0:
        raise ValidationFailed(
            "The amount must be more than zero", details={"amount": amount.to_dict()}
        )
    return amount


async def pay_from_wallet(
    uow: UnitOfWork, *, buyer_id: uuid.UUID, amount: Money, cause: Cause
) -> TransactionView:
    """Move amount from the buyer's wallet to clearing, once per cause; 402 when it is short.

    Not enough balance raises PaymentFailed (reason `insufficient_funds`) and moves nothing,
    even if the caller catches it and carries on with its unit of work.
    """
    positive(amount)
    wallet = await account_for(uow, AccountKind.BUYER_WALLET, buyer_id, amount.currency)
    clearing = await account_for(uow, AccountKind.GATEWAY_CLEARING, None, amount.currency)
    try:
        txn = await post(
            uow,
            kind=TransactionKind.WALLET_PAYMENT,
            cause=cause,
            entries=[(wallet, -amount), (clearing, amount)],
            metadata={"buyer_id": buyer_id},
        )
    except InsufficientFunds as exc:
        raise PaymentFailed(
            "The wallet does not hold enough for this payment",
            details={
                "reason": INSUFFICIENT_FUNDS,
                "balance": exc.details.get("available"),
                "requested": amount.to_dict(),
            },
        ) from None
    if not txn.replayed:
        uow.record(
            WalletPaid(buyer_id=buyer_id, amount=amount, cause_type=cause.type, cause_id=cause.id)
        )
    return txn


async def return_wallet_payment(
    uow: UnitOfWork, *, buyer_id: uuid.UUID, amount: Money, cause: Cause
) -> TransactionView:
    """Give a wallet payment back (clearing → wallet), once per cause: a compensation."""
    positive(amount)
    wallet = await account_for(uow, AccountKind.BUYER_WALLET, buyer_id, amount.currency)
    clearing = await account_for(uow, AccountKind.GATEWAY_CLEARING, None, amount.currency)
    txn = await post(
        uow,
        kind=TransactionKind.WALLET_PAYMENT_REFUND,
        cause=cause,
        entries=[(clearing, -amount), (wallet, amount)],
        metadata={"buyer_id": buyer_id},
    )
    if not txn.replayed:
        uow.record(
            WalletPaymentReturned(
                buyer_id=buyer_id, amount=amount, cause_type=cause.type, cause_id=cause.id
            )
        )
    return txn
