"""Whether an entered discount code applies: 409 DISCOUNT_NOT_APPLICABLE with the reason if not."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.pricing.engine import price
from emporium.contexts.pricing.errors import DiscountNotApplicable
from emporium.contexts.pricing.loading import customer_uses, rule_terms
from emporium.contexts.pricing.models import DiscountRuleRecord
from emporium.contexts.pricing.result import Reason, SkippedRule
from emporium.contexts.pricing.terms import DiscountRule, PricingInput, normalize_code


def code_verdict(data: PricingInput, rule: DiscountRule) -> SkippedRule | None:
    """Why rule (entered by its code) would not apply to data, or None when it would."""
    assert rule.code is not None
    trial = dataclasses.replace(
        data,
        codes=data.codes | {rule.code},
        rules=(*(other for other in data.rules if other.id != rule.id), rule),
    )
    result = price(trial)
    if rule.id in result.applied_rule_ids():
        return None
    skipped = result.skipped(rule.id)
    assert skipped is not None
    return skipped


async def check_code(session: AsyncSession, code: str, data: PricingInput) -> None:
    """Return if the code would take something off these lines now; raise 409 if not."""
    wanted = normalize_code(code)
    row = await session.scalar(select(DiscountRuleRecord).where(DiscountRuleRecord.code == wanted))
    if row is None:
        raise DiscountNotApplicable.because(Reason.UNKNOWN_CODE, code=wanted)
    uses = await customer_uses(session, data.customer.id, [row.id])
    skipped = code_verdict(data, rule_terms(row, customer_uses=uses.get(row.id, 0)))
    if skipped is not None:
        raise DiscountNotApplicable(
            skipped.message,
            details={**skipped.details, "reason": skipped.reason.value, "code": wanted},
        )
