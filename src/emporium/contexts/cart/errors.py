"""Cart errors with stable codes."""

from __future__ import annotations

from emporium.kernel.errors import Conflict, InvalidStateTransition, NotFound, ValidationFailed


class CartNotFound(NotFound):
    default_message = "Cart not found"


class CartItemNotFound(NotFound):
    default_message = "Cart item not found"


class CartNotActive(InvalidStateTransition):
    default_message = "This cart can no longer be changed"


class VariantNotForSale(Conflict):
    default_message = "This product is not for sale right now"


class CartFull(Conflict):
    default_message = "A cart holds at most 100 different items"


class QuantityTooLarge(ValidationFailed):
    default_message = "At most 999 units of one item fit in a cart"


class DiscountCodeNotOnCart(NotFound):
    default_message = "This code is not on the cart"


class BundleLineFixed(Conflict):
    default_message = "A bundle's items change together: remove the bundle and add it again"
