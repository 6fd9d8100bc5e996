"""Pricing errors with stable codes."""

from __future__ import annotations

from typing import Any

from emporium.contexts.pricing.messages import sentence
from emporium.contexts.pricing.result import Reason
from emporium.kernel.errors import Conflict, NotFound, ValidationFailed


class DiscountNotApplicable(Conflict):
    """409 DISCOUNT_NOT_APPLICABLE, with the machine reason in details.reason."""

    code = "DISCOUNT_NOT_APPLICABLE"
    default_message = "This discount does not apply"

    @classmethod
    def because(
        cls, reason: Reason, details: dict[str, Any] | None = None, *, code: str | None = None
    ) -> DiscountNotApplicable:
        """The error for reason, its sentence filled in from details."""
        details = dict(details or {})
        message = sentence(reason, details)
        if code is not None:
            details["code"] = code
        return cls(message, details={**details, "reason": reason.value})


class InvalidPricingInput(ValidationFailed):
    default_message = "These lines cannot be priced"


class VatRateMissing(ValidationFailed):
    default_message = "There is no VAT rate for this destination and tax category"


class CustomerGroupNotFound(NotFound):
    default_message = "Customer group not found"


class PriceListNotFound(NotFound):
    default_message = "Price list not found"


class PriceEntryNotFound(NotFound):
    default_message = "Price list entry not found"


class DiscountNotFound(NotFound):
    default_message = "Discount not found"


class BundleNotFound(NotFound):
    default_message = "Bundle not found"


class DuplicateDiscountCode(Conflict):
    default_message = "Another discount already has this code"


class InvalidBundleChoice(ValidationFailed):
    default_message = "These choices do not make up the bundle"


class InvalidPricingData(ValidationFailed):
    default_message = "The pricing data is not valid"
