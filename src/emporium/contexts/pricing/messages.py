"""Human sentences for why a discount did not apply (the machine reason stays in details)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emporium.contexts.pricing.result import Reason
from emporium.kernel.money import Money

_SENTENCES: dict[Reason, str] = {
    Reason.UNKNOWN_CODE: "There is no discount with this code",
    Reason.INACTIVE: "This discount is not active",
    Reason.NOT_STARTED: "This discount starts at {starts_at}",
    Reason.EXPIRED: "This discount ended at {ends_at}",
    Reason.CODE_NOT_ENTERED: "This discount needs its code",
    Reason.WRONG_CUSTOMER_GROUP: "This discount is for another customer group",
    Reason.SIGN_IN_REQUIRED: "Sign in to use this discount",
    Reason.USAGE_LIMIT_REACHED: "This discount has been used up",
    Reason.CUSTOMER_USAGE_LIMIT_REACHED: "You have already used this discount as often as allowed",
    Reason.CURRENCY_MISMATCH: "This discount is not available in {currency}",
    Reason.NO_MATCHING_ITEMS: "Nothing in the cart qualifies for this discount",
    Reason.MIN_SUBTOTAL_NOT_MET: (
        "Spend at least {min_subtotal} on qualifying items (now {subtotal})"
    ),
    Reason.THRESHOLD_NOT_MET: "This discount needs {threshold} of qualifying items (now {reached})",
    Reason.EXCLUDED_BY_EXCLUSIVE_RULE: "Another discount applies that cannot be combined",
    Reason.NOTHING_LEFT_TO_DISCOUNT: "Other discounts already cover what this one would take off",
}


def _show(value: Any) -> Any:
    if isinstance(value, Mapping) and set(value) == {"amount", "currency"}:
        return str(Money(int(value["amount"]), str(value["currency"])))
    return value


def sentence(reason: Reason, details: Mapping[str, Any]) -> str:
    """The reason as a sentence a shopper understands, filled in from details."""
    values = {key: _show(value) for key, value in details.items()}
    try:
        return _SENTENCES[reason].format(**values)
    except KeyError:
        return _SENTENCES[reason].split(" {", 1)[0]
