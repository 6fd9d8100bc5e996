"""The pricing snapshot an order line stores: a plain JSON value, copied, never a reference.

Later changes to the catalog, the rules or the VAT rates change what `price` answers next
time, never a snapshot already taken.
"""

from __future__ import annotations

import uuid
from typing import Any

from emporium.contexts.pricing.result import PricingResult
from emporium.kernel.events import to_json

SNAPSHOT_VERSION = 1


def snapshot(result: PricingResult, line_id: uuid.UUID) -> dict[str, Any]:
    """How one line was priced: unit price, price list, discounts by rule, VAT rate and amounts."""
    line = result.line(line_id)
    rules = {applied.rule_id: applied for applied in result.explanation.applied}
    value: dict[str, Any] = to_json(
        {
            "version": SNAPSHOT_VERSION,
            "line_id": line.line_id,
            "variant_id": line.variant_id,
            "quantity": line.quantity,
            "currency": result.currency,
            "base_unit_price": line.base_unit_price,
            "unit_price": line.unit_price,
            "price_list": (
                {"id": line.price_list_id, "name": line.price_list_name}
                if line.price_list_id
                else None
            ),
            "bundle_id": line.bundle_id,
            "subtotal": line.subtotal,
            "discounts": [
                {
                    "rule_id": discount.rule_id,
                    "name": rules[discount.rule_id].name,
                    "code": rules[discount.rule_id].code,
                    "kind": rules[discount.rule_id].kind,
                    "amount": discount.amount,
                }
                for discount in line.discounts
            ],
            "discount": line.discount,
            "vat_rate": line.vat_rate,
            "net": line.net,
            "vat": line.vat,
            "gross": line.gross,
        }
    )
    return value


def result_dict(result: PricingResult) -> dict[str, Any]:
    """The whole result as JSON: lines, shipping, totals and the explanation."""
    value: dict[str, Any] = to_json(result)
    return value
