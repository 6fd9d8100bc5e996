"""Checkout: the buyer's checkout of a cart and the place-order saga that carries it out.

The public facade: the router, `wire` (registers the saga type), the saga type itself,
`start_checkout` and the reads. See docs/checkout.md.
"""

from __future__ import annotations

from emporium.contexts.checkout.api import router
from emporium.contexts.checkout.errors import CheckoutNotFound, EmptyCart
from emporium.contexts.checkout.events import CheckoutCompleted, CheckoutFailed, CheckoutStarted
from emporium.contexts.checkout.models import CheckoutState, PaymentChoice
from emporium.contexts.checkout.place_order import PLACE_ORDER, saga_key
from emporium.contexts.checkout.queries import checkout_of, checkout_read
from emporium.contexts.checkout.schemas import CheckoutRead
from emporium.contexts.checkout.start import StartCheckout, start_checkout
from emporium.kernel import saga
from emporium.kernel.runtime import Runtime

__all__ = [
    "PLACE_ORDER",
    "CheckoutCompleted",
    "CheckoutFailed",
    "CheckoutNotFound",
    "CheckoutRead",
    "CheckoutStarted",
    "CheckoutState",
    "EmptyCart",
    "PaymentChoice",
    "StartCheckout",
    "checkout_of",
    "checkout_read",
    "router",
    "saga_key",
    "start_checkout",
    "wire",
]


def wire(runtime: Runtime) -> None:
    """Let this process drive place-order sagas (after `saga.wire`)."""
    saga.register(runtime, PLACE_ORDER)
