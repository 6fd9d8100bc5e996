"""Orders errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import InvalidStateTransition, NotFound, ValidationFailed


class OrderNotFound(NotFound):
    default_message = "Order not found"


class FulfillmentNotFound(NotFound):
    default_message = "Fulfillment not found"


class RefundNotFound(NotFound):
    default_message = "Refund not found"


class NotCancellable(InvalidStateTransition):
    default_message = "Only a confirmed order with nothing shipped yet can be cancelled"


class NotShippedYet(InvalidStateTransition):
    default_message = "Delivery can be confirmed only once the parcel has shipped"


class RefundTooLarge(ValidationFailed):
    default_message = "The refund is more than what is left to refund on this order"


class NothingToRefund(InvalidStateTransition):
    default_message = "This order has nothing left to refund"
