"""Payments errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import InvalidStateTransition, NotFound, ValidationFailed


class PaymentNotFound(NotFound):
    default_message = "Payment not found"


class UnknownProvider(NotFound):
    default_message = "No payment provider has this name"


class NotRefundable(InvalidStateTransition):
    default_message = "Only a captured payment can be refunded"


class NotVoidable(InvalidStateTransition):
    default_message = "Only a payment that has not been captured can be voided; refund it instead"


class NotCapturable(InvalidStateTransition):
    default_message = "Only an authorized payment can be captured"


class RefundExceedsPayment(ValidationFailed):
    default_message = "The refund is larger than what is left of the payment"


class KeyReused(ValidationFailed):
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = "This key was used for another payment"
