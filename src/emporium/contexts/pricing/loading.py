"""Loading what the engine needs from the database, and `build_input` for other contexts."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog
from emporium.contexts.pricing.errors import InvalidPricingInput
from emporium.contexts.pricing.models import (
    CustomerGroupMember,
    DiscountRedemption,
    DiscountRuleRecord,
    PriceListEntryRecord,
    PriceListRecord,
)
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
from emporium.contexts.pricing.vat import vat_rates
from emporium.kernel.money import Money


def _ids(values: Iterable[str]) -> frozenset[uuid.UUID]:
    return frozenset(uuid.UUID(value) for value in values)


def _money(amount: int | None, currency: str) -> Money | None:
    return Money(int(amount), currency) if amount is not None else None


def _decimal(value: object) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def rule_terms(row: DiscountRuleRecord, *, customer_uses: int = 0) -> DiscountRule:
    """The engine's view of a stored rule."""
    money = row.currency
    conditions = row.conditions or {}
    return DiscountRule(
        id=row.id,
        name=row.name,
        kind=RuleKind(row.kind),
        amount=_money(row.amount, money),
        percent=_decimal(row.percent),
        buy_quantity=row.buy_quantity,
        get_quantity=row.get_quantity,
        tier_basis=TierBasis(row.tier_basis) if row.tier_basis else None,
        tiers=tuple(
            Tier(
                threshold=int(tier["threshold"]),
                amount=Money(int(tier["amount"]), money)
                if tier.get("amount") is not None
                else None,
                percent=Decimal(tier["percent"]) if tier.get("percent") is not None else None,
            )
            for tier in row.tiers or []
        ),
        conditions=Conditions(
            product_ids=_ids(conditions.get("product_ids", [])),
            category_ids=_ids(conditions.get("category_ids", [])),
            collection_ids=_ids(conditions.get("collection_ids", [])),
            vendor_ids=_ids(conditions.get("vendor_ids", [])),
            customer_group_ids=_ids(conditions.get("customer_group_ids", [])),
            min_subtotal=_money(row.min_subtotal, money),
        ),
        vendor_id=row.vendor_id,
        priority=row.priority,
        exclusive=row.exclusive,
        code=row.code,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        active=row.active,
        usage_limit=row.usage_limit,
        used=row.used,
        usage_limit_per_customer=row.usage_limit_per_customer,
        customer_uses=customer_uses,
    )


async def customer_uses(
    session: AsyncSession, customer_id: uuid.UUID | None, rule_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How often the customer has redeemed each rule (guests: never counted)."""
    if customer_id is None or not rule_ids:
        return {}
    rows = await session.execute(
        select(DiscountRedemption.rule_id, func.count())
        .where(
            DiscountRedemption.customer_id == customer_id,
            DiscountRedemption.rule_id.in_(list(rule_ids)),
        )
        .group_by(DiscountRedemption.rule_id)
    )
    return {rule_id: int(count) for rule_id, count in rows}


async def load_rules(
    session: AsyncSession,
    *,
    now: datetime,
    codes: Iterable[str] = (),
    customer_id: uuid.UUID | None = None,
) -> tuple[DiscountRule, ...]:
    """Active automatic rules not yet over, and every rule whose code was entered.

    Entered codes load whatever their state, so the explanation can say why one does not
    apply (expired, inactive…); automatic rules that ended are left out as noise.
    """
    wanted = sorted({normalize_code(code) for code in codes})
    automatic = and_(
        DiscountRuleRecord.code.is_(None),
        DiscountRuleRecord.active.is_(True),
        or_(DiscountRuleRecord.ends_at.is_(None), DiscountRuleRecord.ends_at > now),
    )
    condition = or_(automatic, DiscountRuleRecord.code.in_(wanted)) if wanted else automatic
    rows = list(await session.scalars(select(DiscountRuleRecord).where(condition)))
    uses = await customer_uses(session, customer_id, [row.id for row in rows])
    return tuple(rule_terms(row, customer_uses=uses.get(row.id, 0)) for row in rows)


async def load_price_lists(
    session: AsyncSession, variant_ids: Iterable[uuid.UUID]
) -> tuple[PriceEntry, ...]:
    """Every price list entry of these variants, whatever its list's state (for the why)."""
    ids = list(dict.fromkeys(variant_ids))
    if not ids:
        return ()
    entry, terms = PriceListEntryRecord, PriceListRecord
    # Plain columns rather than ORM objects: this runs on every cart view.
    rows = await session.execute(
        select(
            entry.variant_id,
            entry.amount,
            entry.min_quantity,
            terms.id,
            terms.name,
            terms.currency,
            terms.customer_group_id,
            terms.starts_at,
            terms.ends_at,
            terms.active,
        )
        .join(terms, terms.id == entry.price_list_id)
        .where(entry.variant_id.in_(ids))
    )
    lists: dict[uuid.UUID, PriceList] = {}
    found = []
    for row in rows:
        price_list = lists.get(row.id) or PriceList(
            id=row.id,
            name=row.name,
            currency=row.currency,
            customer_group_id=row.customer_group_id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            active=row.active,
        )
        lists[row.id] = price_list
        price = Money(row.amount, row.currency)
        found.append(PriceEntry(price_list, row.variant_id, price, row.min_quantity))
    return tuple(found)


async def load_customer_group(
    session: AsyncSession, customer_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The customer's group, if they are in one."""
    if customer_id is None:
        return None
    group_id: uuid.UUID | None = await session.scalar(
        select(CustomerGroupMember.group_id).where(CustomerGroupMember.customer_id == customer_id)
    )
    return group_id


@dataclass(frozen=True)
class LineRequest:
    """A line to price, as a cart or order holds it."""

    id: uuid.UUID
    variant_id: uuid.UUID
    quantity: int
    bundle_id: uuid.UUID | None = None
    bundle_amount: Money | None = None


async def pricing_lines(
    session: AsyncSession, lines: Sequence[LineRequest]
) -> tuple[list[PricingLine], list[uuid.UUID]]:
    """The lines with catalog facts, and the ids of those that cannot be bought now."""
    infos = await catalog.variant_infos(session, [line.variant_id for line in lines])
    groups = await catalog.product_groups(session, [info.product_id for info in infos.values()])
    priced: list[PricingLine] = []
    unpriced: list[uuid.UUID] = []
    for line in lines:
        info = infos.get(line.variant_id)
        if info is None or not info.purchasable:
            unpriced.append(line.id)
            continue
        where = groups.get(info.product_id)
        priced.append(
            PricingLine(
                id=line.id,
                variant_id=info.id,
                product_id=info.product_id,
                vendor_id=info.vendor_id,
                quantity=line.quantity,
                unit_price=info.price,
                tax_category=info.tax_category,
                category_ids=where.category_ids if where else frozenset(),
                collection_ids=where.collection_ids if where else frozenset(),
                bundle_id=line.bundle_id,
                bundle_amount=line.bundle_amount,
            )
        )
    return priced, unpriced


async def build_input(
    session: AsyncSession,
    lines: Sequence[LineRequest],
    *,
    customer_id: uuid.UUID | None,
    codes: Iterable[str],
    country: str,
    shipping: Money,
    now: datetime,
) -> PricingInput:
    """Everything `price` needs for these lines, loaded in a handful of queries.

    Lines whose variant is unknown or cannot be bought now are left out and listed in
    `unpriced_line_ids`; the currency is shipping's (the store's), which every line shares.
    """
    priced, unpriced = await pricing_lines(session, lines)
    strangers = [str(line.id) for line in priced if line.unit_price.currency != shipping.currency]
    if strangers:
        raise InvalidPricingInput(
            f"Every line must be priced in {shipping.currency}", details={"line_ids": strangers}
        )
    entered = frozenset(normalize_code(code) for code in codes)
    return PricingInput(
        currency=shipping.currency,
        lines=tuple(priced),
        country=country.upper(),
        shipping=shipping,
        now=now,
        vat_rates=await vat_rates(session, country),
        customer=Customer(customer_id, await load_customer_group(session, customer_id)),
        codes=entered,
        rules=await load_rules(session, now=now, codes=entered, customer_id=customer_id),
        price_entries=await load_price_lists(session, [line.variant_id for line in priced]),
        unpriced_line_ids=tuple(unpriced),
    )
