"""Customer groups ("collectors club", "wholesale"): a customer belongs to at most one."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import identity
from emporium.contexts.pricing.errors import CustomerGroupNotFound
from emporium.contexts.pricing.events import CustomerGroupChanged, CustomersGrouped
from emporium.contexts.pricing.models import (
    CustomerGroup,
    CustomerGroupMember,
    DiscountRuleRecord,
    PriceListRecord,
)
from emporium.contexts.pricing.queries import page_by_id
from emporium.kernel.db import is_unique_violation
from emporium.kernel.errors import Conflict, NotFound
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, Page
from emporium.kernel.http.schemas import Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(prefix="/admin/customer-groups", tags=["admin: pricing"])


class CustomerGroupCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)


class CustomerGroupUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)


class CustomerGroupRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    member_count: int = 0
    created_at: datetime
    updated_at: datetime


class CustomerIds(Strict):
    customer_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class MemberRead(BaseModel):
    customer_id: uuid.UUID
    added_at: datetime


async def get_group(session: AsyncSession, group_id: str | uuid.UUID) -> CustomerGroup:
    key = parse_id(group_id)
    group = await session.get(CustomerGroup, key) if key else None
    if group is None:
        raise CustomerGroupNotFound()
    return group


async def _name_free(uow: UnitOfWork, name: str, exclude: uuid.UUID | None = None) -> None:
    found = await uow.session.scalar(
        select(CustomerGroup.id).where(func.lower(CustomerGroup.name) == name.lower())
    )
    if found is not None and found != exclude:
        raise Conflict("Another customer group has this name", details={"name": name})


async def _flush(uow: UnitOfWork, name: str) -> None:
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc, CustomerGroup.__tablename__, "name"):
            raise Conflict("Another customer group has this name", details={"name": name}) from exc
        raise


async def _read(session: AsyncSession, group: CustomerGroup) -> CustomerGroupRead:
    count = await session.scalar(
        select(func.count()).where(CustomerGroupMember.group_id == group.id)
    )
    read = CustomerGroupRead.model_validate(group, from_attributes=True)
    read.member_count = int(count or 0)
    return read


async def create_group(uow: UnitOfWork, body: CustomerGroupCreate) -> CustomerGroup:
    """A new, empty customer group with a unique name (case-insensitive)."""
    await _name_free(uow, body.name)
    now = uow.clock.now()
    group = CustomerGroup(id=new_id(), created_at=now, updated_at=now, **body.model_dump())
    uow.session.add(group)
    await _flush(uow, body.name)
    uow.record(CustomerGroupChanged(id=group.id, name=group.name))
    return group


async def delete_group(uow: UnitOfWork, group: CustomerGroup) -> None:
    """Delete a group no price list or discount names (409 otherwise); members leave it."""
    lists = [
        str(i)
        for i in await uow.session.scalars(
            select(PriceListRecord.id).where(PriceListRecord.customer_group_id == group.id)
        )
    ]
    rules = [
        str(rule.id)
        for rule in await uow.session.scalars(select(DiscountRuleRecord))
        if str(group.id) in (rule.conditions or {}).get("customer_group_ids", [])
    ]
    if lists or rules:
        raise Conflict(
            "Price lists or discounts still use this group",
            details={"price_list_ids": lists, "discount_ids": rules},
        )
    await uow.session.delete(group)
    uow.record(CustomerGroupChanged(id=group.id, name=group.name, deleted=True))


async def add_members(uow: UnitOfWork, group: CustomerGroup, ids: list[uuid.UUID]) -> None:
    """Put customers in the group; 409 for any already in another group (move them out first)."""
    ids = list(dict.fromkeys(ids))
    unknown = [str(i) for i in ids if await identity.get_user(uow.session, i) is None]
    if unknown:
        raise NotFound("Customer not found", details={"customer_ids": unknown})
    rows = await uow.session.execute(
        select(CustomerGroupMember.customer_id, CustomerGroupMember.group_id).where(
            CustomerGroupMember.customer_id.in_(ids)
        )
    )
    current = {customer_id: group_id for customer_id, group_id in rows}
    elsewhere = [str(c) for c, g in current.items() if g != group.id]
    if elsewhere:
        raise Conflict(
            "A customer belongs to at most one group; these are in another",
            details={"customer_ids": elsewhere},
        )
    new = [c for c in ids if c not in current]
    now = uow.clock.now()
    for customer_id in new:
        uow.session.add(
            CustomerGroupMember(customer_id=customer_id, group_id=group.id, added_at=now)
        )
    if new:
        uow.record(CustomersGrouped(changed_group_id=group.id, group_id=group.id, customer_ids=new))


@router.post("", status_code=201, response_model=CustomerGroupRead)
async def post_group(
    body: CustomerGroupCreate, _: AdminPrincipal, runtime: RuntimeDep
) -> CustomerGroupRead:
    async with runtime.uow() as uow:
        group = await create_group(uow, body)
        read = await _read(uow.session, group)
        await uow.commit()
    return read


@router.get("", response_model=Page[CustomerGroupRead])
async def list_groups(
    _: AdminPrincipal, runtime: RuntimeDep, limit: LimitParam = 20, cursor: CursorParam = None
) -> Page[CustomerGroupRead]:
    async with runtime.db.read() as session:
        rows, after = await page_by_id(
            session, select(CustomerGroup), CustomerGroup.id, limit=limit, cursor=cursor
        )
        return Page(items=[await _read(session, g) for g in rows], next_cursor=after)


@router.get("/{group_id}", response_model=CustomerGroupRead)
async def get_one(group_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> CustomerGroupRead:
    async with runtime.db.read() as session:
        return await _read(session, await get_group(session, group_id))


@router.patch("/{group_id}", response_model=CustomerGroupRead)
async def patch_group(
    group_id: str, body: CustomerGroupUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> CustomerGroupRead:
    async with runtime.uow() as uow:
        group = await get_group(uow.session, group_id)
        if body.name is not None:
            await _name_free(uow, body.name, exclude=group.id)
        for field, value in body.model_dump(exclude_none=True).items():
            setattr(group, field, value)
        group.updated_at = uow.clock.now()
        await _flush(uow, group.name)
        uow.record(CustomerGroupChanged(id=group.id, name=group.name))
        read = await _read(uow.session, group)
        await uow.commit()
    return read


@router.delete("/{group_id}", status_code=204)
async def remove_group(group_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        await delete_group(uow, await get_group(uow.session, group_id))
        await uow.commit()
    return Response(status_code=204)


@router.get("/{group_id}/members", response_model=Page[MemberRead])
async def list_members(
    group_id: str,
    _: AdminPrincipal,
    runtime: RuntimeDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> Page[MemberRead]:
    async with runtime.db.read() as session:
        group = await get_group(session, group_id)
        stmt = select(CustomerGroupMember).where(CustomerGroupMember.group_id == group.id)
        rows, after = await page_by_id(
            session, stmt, CustomerGroupMember.customer_id, limit=limit, cursor=cursor
        )
        items = [MemberRead.model_validate(m, from_attributes=True) for m in rows]
    return Page(items=items, next_cursor=after)


@router.post("/{group_id}/members", response_model=CustomerGroupRead)
async def post_members(
    group_id: str, body: CustomerIds, _: AdminPrincipal, runtime: RuntimeDep
) -> CustomerGroupRead:
    async with runtime.uow() as uow:
        group = await get_group(uow.session, group_id)
        await add_members(uow, group, body.customer_ids)
        await uow.flush()
        read = await _read(uow.session, group)
        await uow.commit()
    return read


@router.delete("/{group_id}/members/{customer_id}", status_code=204)
async def remove_member(
    group_id: str, customer_id: str, _: AdminPrincipal, runtime: RuntimeDep
) -> Response:
    async with runtime.uow() as uow:
        group = await get_group(uow.session, group_id)
        key = parse_id(customer_id)
        removed = await uow.session.execute(
            delete(CustomerGroupMember).where(
                CustomerGroupMember.group_id == group.id, CustomerGroupMember.customer_id == key
            )
        )
        if key is None or not removed.rowcount:  # type: ignore[attr-defined]
            raise NotFound("This customer is not in the group")
        uow.record(CustomersGrouped(changed_group_id=group.id, group_id=None, customer_ids=[key]))
        await uow.commit()
    return Response(status_code=204)
