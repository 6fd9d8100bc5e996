"""Cart: guest carts (by token) and buyers' carts; adding an item reserves its stock.

The public facade other contexts may use: `contents_of` then `cart_totals` (the pricing
engine's totals, discounts and explanation, ready for `pricing.snapshot`) or `pricing_input`
(the engine's input for the cart, when a caller adds shipping itself), the cart's
reservation owner type, `login_hook` (identity runs it at login to merge a guest cart),
`hold_for_checkout`, `checkout_lines`, `lock_holds`, `release_holds`,
`release_from_checkout` and `convert` (a checkout holds its cart still, keeps its stock held
through payment, gives it back or converts it) and `wire`.
"""

from __future__ import annotations

from emporium.contexts.cart.api import router
from emporium.contexts.cart.checkouts import (
    CheckoutLine,
    checkout_lines,
    convert,
    hold_for_checkout,
    lock_holds,
    release_from_checkout,
    release_holds,
)
from emporium.contexts.cart.lines import MAX_QUANTITY, OWNER_TYPE
from emporium.contexts.cart.merge import LoginHook, MergeConflict, MergeResult, login_hook
from emporium.contexts.cart.queries import contents_of
from emporium.contexts.cart.subscribers import unavailable_lines
from emporium.contexts.cart.totals import (
    CartContents,
    CartDiscount,
    CartLineRef,
    CartTotals,
    LineTotals,
    cart_totals,
    pricing_input,
)
from emporium.kernel.runtime import Runtime

__all__ = [
    "MAX_QUANTITY",
    "OWNER_TYPE",
    "CartContents",
    "CartDiscount",
    "CartLineRef",
    "CartTotals",
    "CheckoutLine",
    "LineTotals",
    "LoginHook",
    "MergeConflict",
    "MergeResult",
    "cart_totals",
    "checkout_lines",
    "contents_of",
    "convert",
    "hold_for_checkout",
    "lock_holds",
    "login_hook",
    "pricing_input",
    "release_from_checkout",
    "release_holds",
    "router",
    "wire",
]


def wire(runtime: Runtime) -> None:
    """Register the cart's subscriber."""
    runtime.subscribers.add(unavailable_lines())
