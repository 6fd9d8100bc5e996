"""Collections (seed 003): curated sets of products, managed by admins, browsed in the store."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from emporium.contexts.catalog.browse import Filters, ProductPage, Sort, list_products
from emporium.contexts.catalog.errors import CollectionNotFound, ProductNotFound
from emporium.contexts.catalog.events import CollectionChanged
from emporium.contexts.catalog.models import Collection, CollectionProduct, Product
from emporium.contexts.catalog.slugs import unique_slug
from emporium.kernel.errors import Conflict
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import Page
from emporium.kernel.http.schemas import Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["collections"])

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class CollectionCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(None, pattern=SLUG, max_length=140)
    description: str = Field("", max_length=5000)
    published: bool = True
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1000)


class CollectionUpdate(Strict):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    published: bool | None = None


class ProductIds(Strict):
    product_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)


class CollectionRead(BaseModel):
    id: uuid.UUID
    slug: str
    title: str
    description: str
    published: bool
    product_count: int = 0
    created_at: datetime


class CollectionWithProducts(CollectionRead):
    products: ProductPage


async def _get(uow: UnitOfWork, collection_id: str) -> Collection:
    key = parse_id(collection_id)
    collection = await uow.session.get(Collection, key) if key else None
    if collection is None:
        raise CollectionNotFound()
    return collection


async def add_products(uow: UnitOfWork, collection: Collection, ids: list[uuid.UUID]) -> None:
    """Add products to the end of a collection (already present ones stay where they are)."""
    found = set(await uow.session.scalars(select(Product.id).where(Product.id.in_(ids))))
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ProductNotFound(details={"product_ids": missing})
    present = set(
        await uow.session.scalars(
            select(CollectionProduct.product_id).where(
                CollectionProduct.collection_id == collection.id
            )
        )
    )
    position = len(present)
    for product_id in dict.fromkeys(ids):
        if product_id not in present:
            uow.session.add(
                CollectionProduct(
                    collection_id=collection.id, product_id=product_id, position=position
                )
            )
            position += 1
    uow.record(CollectionChanged(id=collection.id, slug=collection.slug))


async def create_collection(uow: UnitOfWork, body: CollectionCreate) -> Collection:
    if body.slug and await uow.session.scalar(
        select(Collection.id).where(Collection.slug == body.slug)
    ):
        raise Conflict("This collection slug is already taken", details={"slug": body.slug})
    now = uow.clock.now()
    collection = Collection(
        id=new_id(),
        slug=body.slug or await unique_slug(uow.session, Collection.slug, body.title),
        title=body.title,
        description=body.description,
        published=body.published,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(collection)
    await uow.session.flush()
    if body.product_ids:
        await add_products(uow, collection, body.product_ids)
    uow.record(CollectionChanged(id=collection.id, slug=collection.slug))
    return collection


async def _read(session: AsyncSession, collection: Collection) -> CollectionRead:
    count = await session.scalar(
        select(func.count())
        .select_from(CollectionProduct)
        .where(CollectionProduct.collection_id == collection.id)
    )
    read = CollectionRead.model_validate(collection, from_attributes=True)
    read.product_count = int(count or 0)
    return read


@router.post("/admin/collections", status_code=201, response_model=CollectionRead)
async def post_collection(
    body: CollectionCreate, _: AdminPrincipal, runtime: RuntimeDep
) -> CollectionRead:
    async with runtime.uow() as uow:
        collection = await create_collection(uow, body)
        await uow.session.flush()
        read = await _read(uow.session, collection)
        await uow.commit()
    return read


@router.get("/admin/collections", response_model=Page[CollectionRead])
async def admin_list(_: AdminPrincipal, runtime: RuntimeDep) -> Page[CollectionRead]:
    async with runtime.db.read() as session:
        rows = list(await session.scalars(select(Collection).order_by(Collection.title)))
        return Page(items=[await _read(session, c) for c in rows], next_cursor=None)


@router.get("/admin/collections/{collection_id}", response_model=CollectionRead)
async def admin_get(collection_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> CollectionRead:
    async with runtime.uow() as uow:
        return await _read(uow.session, await _get(uow, collection_id))


@router.patch("/admin/collections/{collection_id}", response_model=CollectionRead)
async def admin_patch(
    collection_id: str, body: CollectionUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> CollectionRead:
    async with runtime.uow() as uow:
        collection = await _get(uow, collection_id)
        for field, value in body.model_dump(exclude_none=True).items():
            setattr(collection, field, value)
        collection.updated_at = uow.clock.now()
        uow.record(CollectionChanged(id=collection.id, slug=collection.slug))
        read = await _read(uow.session, collection)
        await uow.commit()
    return read


@router.delete("/admin/collections/{collection_id}", status_code=204)
async def admin_delete(collection_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        collection = await _get(uow, collection_id)
        await uow.session.delete(collection)
        uow.record(CollectionChanged(id=collection.id, slug=collection.slug, deleted=True))
        await uow.commit()
    return Response(status_code=204)


@router.post("/admin/collections/{collection_id}/products", response_model=CollectionRead)
async def admin_add_products(
    collection_id: str, body: ProductIds, _: AdminPrincipal, runtime: RuntimeDep
) -> CollectionRead:
    async with runtime.uow() as uow:
        collection = await _get(uow, collection_id)
        await add_products(uow, collection, body.product_ids)
        await uow.session.flush()
        read = await _read(uow.session, collection)
        await uow.commit()
    return read


@router.delete("/admin/collections/{collection_id}/products/{product_id}", status_code=204)
async def admin_remove_product(
    collection_id: str, product_id: str, _: AdminPrincipal, runtime: RuntimeDep
) -> Response:
    async with runtime.uow() as uow:
        collection = await _get(uow, collection_id)
        await uow.session.execute(
            delete(CollectionProduct).where(
                CollectionProduct.collection_id == collection.id,
                CollectionProduct.product_id == parse_id(product_id),
            )
        )
        uow.record(CollectionChanged(id=collection.id, slug=collection.slug))
        await uow.commit()
    return Response(status_code=204)


@router.get("/store/collections", response_model=Page[CollectionRead])
async def store_list(runtime: RuntimeDep) -> Page[CollectionRead]:
    async with runtime.db.read() as session:
        rows = list(
            await session.scalars(
                select(Collection).where(Collection.published.is_(True)).order_by(Collection.title)
            )
        )
        return Page(items=[await _read(session, c) for c in rows], next_cursor=None)


@router.get("/store/collections/{slug}", response_model=CollectionWithProducts)
async def store_get(
    slug: str,
    runtime: RuntimeDep,
    sort: Sort = Sort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> CollectionWithProducts:
    async with runtime.db.read() as session:
        collection = await session.scalar(
            select(Collection).where(Collection.slug == slug[:140], Collection.published.is_(True))
        )
        if collection is None:
            raise CollectionNotFound()
        ids = list(
            await session.scalars(
                select(CollectionProduct.product_id).where(
                    CollectionProduct.collection_id == collection.id
                )
            )
        )
        page = await list_products(session, Filters(product_ids=ids), sort, limit, cursor)
        read = await _read(session, collection)
    return CollectionWithProducts(**read.model_dump(), products=page)
