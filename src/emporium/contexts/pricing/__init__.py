"""Pricing: customer groups, price lists, discount rules, bundles, EU VAT, totals.

The public facade other contexts may use:
- `build_input(session, lines, *, customer_id, codes, country, shipping, now)` then
  `price(input)` for a cart's or an order's totals with their explanation;
- `check_code(session, code, input)` before a code goes on a cart (409 if it would not apply);
- `redeem(uow, *, rule_ids, customer_id, order_id)` when an order is placed,
  `release_redemption(uow, order_id)` when it is cancelled;
- `snapshot(result, line_id)` for what an order line stores;
- `prepare_bundle(session, bundle_id, choices)` for the lines a chosen bundle adds to a cart;
- `vat_rates(session, country)` and `vat_part(gross, rate)`;
- `seed_demo_pricing(uow, *, comics_vendor_id, club_member_ids)` for the demo data.
"""

from __future__ import annotations

from emporium.contexts.pricing.bundle_store import load_bundle, prepare_bundle
from emporium.contexts.pricing.bundle_terms import (
    BundleChoice,
    BundleLine,
    BundlePrice,
    BundlePricing,
    BundleSetSpec,
    BundleSpec,
    price_bundle,
    validate_bundle_choice,
)
from emporium.contexts.pricing.codes import check_code, code_verdict
from emporium.contexts.pricing.demo_data import seed_demo_pricing
from emporium.contexts.pricing.engine import price
from emporium.contexts.pricing.errors import (
    BundleNotFound,
    DiscountNotApplicable,
    InvalidBundleChoice,
    InvalidPricingInput,
    VatRateMissing,
)
from emporium.contexts.pricing.events import DiscountRedeemed, DiscountRedemptionReleased
from emporium.contexts.pricing.loading import (
    LineRequest,
    build_input,
    load_customer_group,
    load_price_lists,
    load_rules,
)
from emporium.contexts.pricing.redemptions import redeem, release_redemption
from emporium.contexts.pricing.result import (
    AppliedRule,
    Explanation,
    LineDiscount,
    ListReason,
    PricedLine,
    PricedShipping,
    PricingResult,
    Reason,
    SkippedRule,
    Totals,
)
from emporium.contexts.pricing.snapshot import result_dict, snapshot
from emporium.contexts.pricing.terms import (
    Conditions,
    Customer,
    DiscountRule,
    PriceEntry,
    PriceList,
    PricingInput,
    PricingLine,
    RuleKind,
    Tier,
    TierBasis,
    normalize_code,
)
from emporium.contexts.pricing.vat import (
    EU_VAT_RATES,
    VAT_CACHE,
    VatRateCache,
    vat_part,
    vat_rates,
)

__all__ = [
    "EU_VAT_RATES",
    "VAT_CACHE",
    "AppliedRule",
    "BundleChoice",
    "BundleLine",
    "BundleNotFound",
    "BundlePrice",
    "BundlePricing",
    "BundleSetSpec",
    "BundleSpec",
    "Conditions",
    "Customer",
    "DiscountNotApplicable",
    "DiscountRedeemed",
    "DiscountRedemptionReleased",
    "DiscountRule",
    "Explanation",
    "InvalidBundleChoice",
    "InvalidPricingInput",
    "LineDiscount",
    "LineRequest",
    "ListReason",
    "PriceEntry",
    "PriceList",
    "PricedLine",
    "PricedShipping",
    "PricingInput",
    "PricingLine",
    "PricingResult",
    "Reason",
    "RuleKind",
    "SkippedRule",
    "Tier",
    "TierBasis",
    "Totals",
    "VatRateCache",
    "VatRateMissing",
    "build_input",
    "check_code",
    "code_verdict",
    "load_bundle",
    "load_customer_group",
    "load_price_lists",
    "load_rules",
    "normalize_code",
    "prepare_bundle",
    "price",
    "price_bundle",
    "redeem",
    "release_redemption",
    "result_dict",
    "seed_demo_pricing",
    "snapshot",
    "validate_bundle_choice",
    "vat_part",
    "vat_rates",
]
