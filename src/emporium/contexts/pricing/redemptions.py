"""Counting discount uses when an order is placed, atomically, and giving them back.

Total limits: one conditional UPDATE (`used = used + 1 WHERE used < usage_limit`) per rule.
On PostgreSQL a second transaction's UPDATE waits on the row lock and re-checks the WHERE
against the committed row, so of two buyers racing for the last use exactly one matches;
on SQLite writers take turns. Per-customer limits: each use takes a numbered slot
(1..limit) under a unique constraint, so two orders of one customer cannot take the same
last slot. Rules are counted in id order, so two orders never wait on each other in a cycle.
The rule row stays locked until the order's transaction commits: redeem late in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from emporium.contexts.pricing.errors import DiscountNotApplicable, DiscountNotFound
from emporium.contexts.pricing.events import DiscountRedeemed, DiscountRedemptionReleased
from emporium.contexts.pricing.models import DiscountRedemption, DiscountRuleRecord
from emporium.contexts.pricing.result import Reason
from emporium.kernel.db import is_unique_violation
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork

_TABLE = DiscountRedemption.__tablename__


async def _count_use(uow: UnitOfWork, rule_id: uuid.UUID) -> tuple[int | None, str | None]:
    rule = DiscountRuleRecord
    row = (
        await uow.session.execute(
            update(rule)
            .where(
                rule.id == rule_id, or_(rule.usage_limit.is_(None), rule.used < rule.usage_limit)
            )
            .values(used=rule.used + 1)
            .returning(rule.usage_limit_per_customer, rule.code)
        )
    ).first()
    if row is not None:
        return row[0], row[1]
    found = (await uow.session.execute(select(rule.code).where(rule.id == rule_id))).first()
    if found is None:
        raise DiscountNotFound(details={"rule_id": str(rule_id)})
    raise DiscountNotApplicable.because(
        Reason.USAGE_LIMIT_REACHED, {"rule_id": str(rule_id)}, code=found[0]
    )


def _slot_taken(exc: IntegrityError) -> bool:
    # SQLite names the columns, PostgreSQL the constraint.
    return is_unique_violation(exc, _TABLE, "slot") or is_unique_violation(
        exc, _TABLE, "rule_id_customer_id_slot"
    )


async def _take_slot(
    uow: UnitOfWork, redemption: DiscountRedemption, limit: int, code: str | None
) -> None:
    """Insert the redemption in the customer's lowest free slot (a lost race tries the next)."""
    for _ in range(limit):
        taken = set(
            await uow.session.scalars(
                select(DiscountRedemption.slot).where(
                    DiscountRedemption.rule_id == redemption.rule_id,
                    DiscountRedemption.customer_id == redemption.customer_id,
                )
            )
        )
        free = [slot for slot in range(1, limit + 1) if slot not in taken]
        if not free:
            break
        redemption.slot = free[0]
        try:
            async with uow.savepoint():
                uow.session.add(redemption)
                await uow.session.flush()
            return
        except IntegrityError as exc:
            if not _slot_taken(exc):
                raise
            if redemption in uow.session:
                uow.session.expunge(redemption)
    raise DiscountNotApplicable.because(
        Reason.CUSTOMER_USAGE_LIMIT_REACHED,
        {"rule_id": str(redemption.rule_id), "usage_limit_per_customer": limit},
        code=code,
    )


async def redeem(
    uow: UnitOfWork,
    *,
    rule_ids: Iterable[uuid.UUID],
    customer_id: uuid.UUID | None,
    order_id: uuid.UUID,
) -> None:
    """Count one use of each rule for the order, or raise DISCOUNT_NOT_APPLICABLE (409).

    Idempotent per (rule, order): redeeming an order again counts nothing twice.
    """
    for rule_id in sorted(set(rule_ids)):
        already = await uow.session.scalar(
            select(DiscountRedemption.id).where(
                DiscountRedemption.rule_id == rule_id, DiscountRedemption.order_id == order_id
            )
        )
        if already is not None:
            continue
        per_customer, code = await _count_use(uow, rule_id)
        redemption = DiscountRedemption(
            id=new_id(),
            rule_id=rule_id,
            order_id=order_id,
            customer_id=customer_id,
            created_at=uow.clock.now(),
        )
        if per_customer is None:
            uow.session.add(redemption)
        elif customer_id is None:
            raise DiscountNotApplicable.because(Reason.SIGN_IN_REQUIRED, code=code)
        else:
            await _take_slot(uow, redemption, per_customer, code)
        uow.record(DiscountRedeemed(rule_id=rule_id, order_id=order_id, customer_id=customer_id))
    await uow.session.flush()


async def release_redemption(uow: UnitOfWork, order_id: uuid.UUID) -> list[uuid.UUID]:
    """Give back the uses an order counted (it was cancelled); returns the rules released."""
    rows = list(
        await uow.session.scalars(
            select(DiscountRedemption)
            .where(DiscountRedemption.order_id == order_id)
            .order_by(DiscountRedemption.rule_id)
        )
    )
    for row in rows:
        await uow.session.execute(
            update(DiscountRuleRecord)
            .where(DiscountRuleRecord.id == row.rule_id, DiscountRuleRecord.used > 0)
            .values(used=DiscountRuleRecord.used - 1)
        )
        uow.record(
            DiscountRedemptionReleased(
                rule_id=row.rule_id, order_id=order_id, customer_id=row.customer_id
            )
        )
    await uow.session.execute(
        delete(DiscountRedemption).where(DiscountRedemption.order_id == order_id)
    )
    return [row.rule_id for row in rows]
