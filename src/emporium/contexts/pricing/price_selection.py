"""Which unit price a line gets: its base price or the best applicable price list entry.

The rule (docs/pricing.md): an entry applies when its list is active, in its window
(starts_at <= now < ends_at), in the cart's currency, for everyone or for the customer's
group, and the quantity of that variant in the cart reaches the entry's minimum quantity.
Among applicable entries the lowest price wins; on a tie a group's list beats an
everyone list, then the higher minimum quantity, then the smaller list id. An entry above
the base price is ignored: a list is a benefit, and no customer should pay more than a
guest would when the seller lowers the base price below an old list price.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from emporium.contexts.pricing.result import LinePriceExplanation, ListNote, ListReason
from emporium.contexts.pricing.terms import Customer, PriceEntry, PricingLine
from emporium.kernel.money import Money


@dataclass(frozen=True)
class ChosenPrice:
    unit_price: Money
    entry: PriceEntry | None
    explanation: LinePriceExplanation


def in_window(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    """Whether now falls in [starts_at, ends_at) (an open end is unbounded)."""
    return (starts_at is None or starts_at <= now) and (ends_at is None or now < ends_at)


def _why_not(
    entry: PriceEntry, line: PricingLine, quantity: int, customer: Customer, now: datetime
) -> ListReason | None:
    terms = entry.price_list
    if not terms.active:
        return ListReason.INACTIVE
    if terms.starts_at is not None and now < terms.starts_at:
        return ListReason.NOT_STARTED
    if terms.ends_at is not None and now >= terms.ends_at:
        return ListReason.EXPIRED
    if entry.price.currency != line.unit_price.currency:
        return ListReason.CURRENCY_MISMATCH
    if terms.customer_group_id is not None and terms.customer_group_id != customer.group_id:
        return ListReason.WRONG_CUSTOMER_GROUP
    if quantity < entry.min_quantity:
        return ListReason.MIN_QUANTITY_NOT_MET
    if entry.price > line.unit_price:
        return ListReason.ABOVE_BASE_PRICE
    return None


def _rank(entry: PriceEntry) -> tuple[int, int, int, str]:
    group_first = 0 if entry.price_list.customer_group_id is not None else 1
    return (entry.price.amount, group_first, -entry.min_quantity, str(entry.price_list.id))


def _note(entry: PriceEntry, reason: ListReason | None) -> ListNote:
    terms = entry.price_list
    return ListNote(terms.id, terms.name, entry.min_quantity, entry.price, reason)


def choose_price(
    line: PricingLine,
    entries: Iterable[PriceEntry],
    *,
    quantity: int,
    customer: Customer,
    now: datetime,
) -> ChosenPrice:
    """The line's unit price; quantity is the cart's quantity of its variant (all lines)."""
    entries = sorted(entries, key=_rank)
    if line.in_bundle:
        notes = tuple(_note(e, ListReason.BUNDLE_PRICED) for e in entries)
        return ChosenPrice(line.unit_price, None, LinePriceExplanation(line.id, None, notes))
    chosen: PriceEntry | None = None
    rejected: list[ListNote] = []
    for entry in entries:
        reason = _why_not(entry, line, quantity, customer, now)
        if reason is None and chosen is None:
            chosen = entry
            continue
        rejected.append(_note(entry, reason or ListReason.NOT_LOWEST))
    explanation = LinePriceExplanation(
        line.id, _note(chosen, None) if chosen else None, tuple(rejected)
    )
    unit_price = chosen.price if chosen is not None else line.unit_price
    return ChosenPrice(unit_price, chosen, explanation)
