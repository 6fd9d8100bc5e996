"""Checkout errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import NotFound, ValidationFailed


class CheckoutNotFound(NotFound):
    default_message = "Checkout not found"


class EmptyCart(ValidationFailed):
    default_message = "The cart is empty: add an item before checking out"
