"""Wallet errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import (
    Conflict,
    InvalidStateTransition,
    NotFound,
    ValidationFailed,
)


class UnbalancedTransaction(ValidationFailed):
    code = "UNBALANCED_TRANSACTION"
    default_message = "A ledger transaction's entries must sum to zero in every currency"


class CauseConflict(Conflict):
    default_message = "This cause was already posted with different entries"


class InsufficientFunds(Conflict):
    code = "INSUFFICIENT_FUNDS"
    default_message = "The account does not hold enough funds for this"


class HoldNotFound(NotFound):
    default_message = "Escrow hold not found"


class HoldAlreadyResolved(InvalidStateTransition):
    default_message = "This escrow hold was already released or refunded"


class RefundExceedsHold(ValidationFailed):
    default_message = "The refund is more than what is left of this escrow hold"


class PayoutNotFound(NotFound):
    default_message = "Payout not found"


class NoVendor(NotFound):
    default_message = "This account has no vendor"
