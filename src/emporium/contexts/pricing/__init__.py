"""Pricing: VAT rates now; customer groups, price lists, discounts and bundles with issue 5.

The public facade other contexts may use.
"""

from __future__ import annotations

from emporium.contexts.pricing.vat import EU_VAT_RATES, vat_part, vat_rates

__all__ = ["EU_VAT_RATES", "vat_part", "vat_rates"]
