"""Admins manage discount rules: kinds, values, conditions, priority, codes, windows, limits."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import catalog
from emporium.contexts.pricing.discount_schemas import (
    DiscountCreate,
    DiscountRead,
    DiscountUpdate,
    TierOut,
)
from emporium.contexts.pricing.errors import (
    DiscountNotFound,
    DuplicateDiscountCode,
    InvalidPricingData,
)
from emporium.contexts.pricing.events import DiscountRuleChanged
from emporium.contexts.pricing.models import (
    CustomerGroup,
    DiscountRedemption,
    DiscountRuleRecord,
)
from emporium.contexts.pricing.queries import page_by_id
from emporium.contexts.pricing.schemas import hundredths, merge_patch
from emporium.contexts.pricing.terms import RuleKind, TierBasis, normalize_code
from emporium.kernel.db import is_unique_violation
from emporium.kernel.errors import Conflict
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(prefix="/admin/discounts", tags=["admin: pricing"])


def _money(amount: int | None, currency: str) -> MoneyOut | None:
    return MoneyOut(amount=amount, currency=currency) if amount is not None else None


def discount_read(row: DiscountRuleRecord) -> DiscountRead:
    """A stored rule as the admin API shows it."""
    return DiscountRead(
        id=row.id,
        name=row.name,
        description=row.description,
        kind=RuleKind(row.kind),
        amount=_money(row.amount, row.currency),
        percent=hundredths(row.percent),
        buy_quantity=row.buy_quantity,
        get_quantity=row.get_quantity,
        tier_basis=TierBasis(row.tier_basis) if row.tier_basis else None,
        tiers=[
            TierOut(
                threshold=t["threshold"],
                amount=_money(t.get("amount"), row.currency),
                percent=hundredths(t.get("percent")),
            )
            for t in row.tiers or []
        ],
        conditions={k: [uuid.UUID(v) for v in vs] for k, vs in (row.conditions or {}).items()},
        min_subtotal=_money(row.min_subtotal, row.currency),
        vendor_id=row.vendor_id,
        priority=row.priority,
        exclusive=row.exclusive,
        code=row.code,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        usage_limit=row.usage_limit,
        usage_limit_per_customer=row.usage_limit_per_customer,
        used=row.used,
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _check_references(uow: UnitOfWork, body: DiscountCreate, currency: str) -> None:
    """422 for unknown vendors, products or groups, or amounts not in the store currency."""
    problems: list[dict[str, Any]] = []
    if body.currencies() - {currency}:
        problems.append({"field": "currency", "message": f"amounts must be in {currency}"})
    vendors = {*body.conditions.vendor_ids, *([body.vendor_id] if body.vendor_id else [])}
    for vendor_id in sorted(vendors):
        if await catalog.vendor_info(uow.session, vendor_id) is None:
            problems.append({"vendor_id": str(vendor_id), "message": "unknown vendor"})
    products = await catalog.product_groups(uow.session, body.conditions.product_ids)
    problems += [
        {"product_id": str(p), "message": "unknown product"}
        for p in body.conditions.product_ids
        if p not in products
    ]
    groups = set(body.conditions.customer_group_ids)
    known = set(
        await uow.session.scalars(select(CustomerGroup.id).where(CustomerGroup.id.in_(groups)))
    )
    problems += [
        {"customer_group_id": str(g), "message": "unknown customer group"}
        for g in sorted(groups - known)
    ]
    if problems:
        raise InvalidPricingData(
            "This discount refers to things that do not exist", details={"problems": problems}
        )


async def _code_free(uow: UnitOfWork, code: str | None, exclude: uuid.UUID | None) -> None:
    if code is None:
        return
    found = await uow.session.scalar(
        select(DiscountRuleRecord.id).where(DiscountRuleRecord.code == code)
    )
    if found is not None and found != exclude:
        raise DuplicateDiscountCode(details={"code": code})


def _store(row: DiscountRuleRecord, body: DiscountCreate, currency: str) -> None:
    values = body.model_dump(exclude={"amount", "min_subtotal", "tiers", "conditions", "code"})
    for field, value in values.items():
        setattr(row, field, value)
    row.currency = currency
    row.amount = body.amount.amount if body.amount else None
    row.min_subtotal = body.min_subtotal.amount if body.min_subtotal else None
    row.code = normalize_code(body.code) if body.code else None
    row.tiers = [
        {
            "threshold": t.threshold,
            "amount": t.amount.amount if t.amount else None,
            "percent": str(hundredths(t.percent)) if t.percent is not None else None,
        }
        for t in body.tiers
    ]
    row.conditions = {
        name: [str(i) for i in dict.fromkeys(ids)]
        for name, ids in body.conditions.model_dump().items()
        if ids
    }


async def save_discount(
    uow: UnitOfWork, row: DiscountRuleRecord, body: DiscountCreate, *, currency: str
) -> DiscountRead:
    """Validate references and the code, write the rule, record the change."""
    await _check_references(uow, body, currency)
    code = normalize_code(body.code) if body.code else None
    await _code_free(uow, code, exclude=row.id)
    _store(row, body, currency)
    row.updated_at = uow.clock.now()
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc, DiscountRuleRecord.__tablename__, "code"):
            raise DuplicateDiscountCode(details={"code": code}) from exc
        raise
    read = discount_read(row)
    uow.record(DiscountRuleChanged(id=row.id, values=read.model_dump(mode="json")))
    return read


async def _get(session: AsyncSession, discount_id: str) -> DiscountRuleRecord:
    key = parse_id(discount_id)
    row = await session.get(DiscountRuleRecord, key) if key else None
    if row is None:
        raise DiscountNotFound()
    return row


@router.post("", status_code=201, response_model=DiscountRead)
async def post_discount(
    body: DiscountCreate, _: AdminPrincipal, runtime: RuntimeDep
) -> DiscountRead:
    async with runtime.uow() as uow:
        now = uow.clock.now()
        row = DiscountRuleRecord(id=new_id(), used=0, created_at=now, updated_at=now)
        uow.session.add(row)
        read = await save_discount(uow, row, body, currency=runtime.settings.default_currency)
        await uow.commit()
    return read


@router.get("", response_model=Page[DiscountRead])
async def list_discounts(
    _: AdminPrincipal,
    runtime: RuntimeDep,
    code: Annotated[str | None, Query(max_length=40)] = None,
    active: bool | None = None,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[DiscountRead]:
    stmt = select(DiscountRuleRecord)
    if code is not None:
        stmt = stmt.where(DiscountRuleRecord.code == normalize_code(code))
    if active is not None:
        stmt = stmt.where(DiscountRuleRecord.active.is_(active))
    async with runtime.db.read() as session:
        rows, after = await page_by_id(
            session, stmt, DiscountRuleRecord.id, limit=limit, cursor=cursor
        )
    return Page(items=[discount_read(r) for r in rows], next_cursor=after)


@router.get("/{discount_id}", response_model=DiscountRead)
async def get_discount(discount_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> DiscountRead:
    async with runtime.db.read() as session:
        return discount_read(await _get(session, discount_id))


@router.patch("/{discount_id}", response_model=DiscountRead)
async def patch_discount(
    discount_id: str, body: DiscountUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> DiscountRead:
    async with runtime.uow() as uow:
        row = await _get(uow.session, discount_id)
        merged = merge_patch(discount_read(row).as_create(), body, DiscountCreate)
        read = await save_discount(uow, row, merged, currency=runtime.settings.default_currency)
        await uow.commit()
    return read


@router.delete("/{discount_id}", status_code=204)
async def delete_discount(discount_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        row = await _get(uow.session, discount_id)
        redeemed = await uow.session.scalar(
            select(DiscountRedemption.id).where(DiscountRedemption.rule_id == row.id).limit(1)
        )
        if redeemed is not None:
            raise Conflict(
                "Orders have used this discount: deactivate it instead (active: false)",
                details={"used": row.used},
            )
        await uow.session.delete(row)
        uow.record(DiscountRuleChanged(id=row.id, deleted=True))
        await uow.commit()
    return Response(status_code=204)
