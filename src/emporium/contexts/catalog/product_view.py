"""The seller's and admin's reads of products (their own vendor's only, for sellers)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts import inventory
from emporium.contexts.catalog.errors import ProductNotFound
from emporium.contexts.catalog.models import Product, ProductImage, ProductStatus, Variant
from emporium.contexts.catalog.schemas import ImageRead, ProductRead
from emporium.contexts.catalog.variants import variant_read
from emporium.kernel.http.auth import SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import Page
from emporium.kernel.ids import parse_id

router = APIRouter(tags=["products"])


async def load_product_reads(session: AsyncSession, products: list[Product]) -> list[ProductRead]:
    """Full views of products, with variants, images and stock, in three queries."""
    ids = [p.id for p in products]
    variants = (
        list(
            await session.scalars(
                select(Variant).where(Variant.product_id.in_(ids)).order_by(Variant.position)
            )
        )
        if ids
        else []
    )
    images = (
        list(
            await session.scalars(
                select(ProductImage)
                .where(ProductImage.product_id.in_(ids))
                .order_by(ProductImage.position)
            )
        )
        if ids
        else []
    )
    stock = await inventory.availability(session, [v.id for v in variants])
    reads = []
    for product in products:
        reads.append(
            ProductRead(
                id=product.id,
                vendor_id=product.vendor_id,
                slug=product.slug,
                status=product.status,
                title=product.title,
                description=product.description,
                category_id=product.category_id,
                attributes=product.attributes,
                variants=[
                    variant_read(v, stock.get(v.id)) for v in variants if v.product_id == product.id
                ],
                images=[
                    ImageRead.model_validate(i, from_attributes=True)
                    for i in images
                    if i.product_id == product.id
                ],
                created_at=product.created_at,
                updated_at=product.updated_at,
                published_at=product.published_at,
            )
        )
    return reads


async def load_product_read(session: AsyncSession, product_id: uuid.UUID) -> ProductRead:
    product = await session.get(Product, product_id)
    if product is None:
        raise ProductNotFound()
    (read,) = await load_product_reads(session, [product])
    return read


@router.get("/seller/products", response_model=Page[ProductRead])
async def list_own_products(
    principal: SellerOrAdminPrincipal,
    runtime: RuntimeDep,
    status: Annotated[ProductStatus | None, Query()] = None,
    vendor_id: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ProductRead]:
    """Newest first; admins see every vendor's (optionally one vendor's) products."""
    stmt = select(Product).order_by(Product.id.desc()).limit(limit + 1)
    scope = principal.vendor_scope or vendor_id
    if scope is not None:
        stmt = stmt.where(Product.vendor_id == scope)
    if status is not None:
        stmt = stmt.where(Product.status == status.value)
    after = parse_id(cursor) if cursor else None
    if after is not None:
        stmt = stmt.where(Product.id < after)
    async with runtime.db.read() as session:
        products = list(await session.scalars(stmt))
        items = await load_product_reads(session, products[:limit])
    more = len(products) > limit
    return Page(items=items, next_cursor=str(items[-1].id) if more else None)


@router.get("/seller/products/{product_id}", response_model=ProductRead)
async def get_own_product(
    product_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> ProductRead:
    key = parse_id(product_id)
    async with runtime.db.read() as session:
        product = await session.get(Product, key) if key else None
        scope = principal.vendor_scope
        if product is None or (scope is not None and product.vendor_id != scope):
            raise ProductNotFound()
        return await load_product_read(session, product.id)
