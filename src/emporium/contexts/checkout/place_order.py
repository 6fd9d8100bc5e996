"""The place-order saga: its steps in order, each with the compensation that undoes it.

    validate_cart      → give_cart_back     (the cart is the buyer's again; checkout FAILED)
    reserve_inventory  → release_inventory  LOCKED: holds last past the payment deadline
    take_payment       → undo_payment       PAYMENT_PENDING: refund, or void, or nothing
    confirm_payment                         PAYMENT_CONFIRMED
    create_order       → cancel_order       ORDER_CREATED: holds consumed, discounts redeemed
    create_shipments   → cancel_shipments   one parcel per vendor fulfillment
    complete                                COMPLETED: order confirmed, cart converted

On a failure the engine runs the compensations of every started step in reverse, so the
first step's runs last and records the checkout's failure. See docs/checkout.md.
"""

from __future__ import annotations

from emporium.contexts.checkout.holds import release_inventory, reserve_inventory
from emporium.contexts.checkout.order import (
    cancel_order,
    cancel_shipments,
    complete,
    create_order,
    create_shipments,
)
from emporium.contexts.checkout.payment import (
    WAIT_FOR_CONFIRMATION,
    confirm_payment,
    take_payment,
    undo_payment,
)
from emporium.contexts.checkout.validate import give_cart_back, validate_cart
from emporium.kernel.saga import SagaType, Step

PLACE_ORDER = SagaType(
    "checkout.place_order",
    steps=[
        Step("validate_cart", action=validate_cart, compensation=give_cart_back),
        Step("reserve_inventory", action=reserve_inventory, compensation=release_inventory),
        Step(
            "take_payment",
            action=take_payment,
            compensation=undo_payment,
            wait_for=WAIT_FOR_CONFIRMATION,
        ),
        Step("confirm_payment", action=confirm_payment),
        Step("create_order", action=create_order, compensation=cancel_order),
        Step("create_shipments", action=create_shipments, compensation=cancel_shipments),
        Step("complete", action=complete),
    ],
    max_attempts=5,
)

# What each compensation is called in a failed checkout's answer when it did not say.
COMPENSATION_ACTIONS = {
    "validate_cart": "release_cart",
    "reserve_inventory": "release",
    "take_payment": "refund",
    "create_order": "cancel",
    "create_shipments": "cancel_shipment",
}


def saga_key(checkout_id: object) -> str:
    return f"checkout:{checkout_id}"
