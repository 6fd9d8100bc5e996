"""The category tree: admins create, rename and move categories; the store lists them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update

from emporium.contexts.catalog.errors import CategoryNotFound
from emporium.contexts.catalog.events import CategoryChanged
from emporium.contexts.catalog.models import Category, Product
from emporium.contexts.catalog.schemas import CategoryRead
from emporium.contexts.catalog.slugs import unique_slug
from emporium.kernel.errors import Conflict, ValidationFailed
from emporium.kernel.http.auth import AdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import Strict
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["categories"])


class CategoryCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    parent_id: uuid.UUID | None = None
    slug: str | None = Field(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=140)


class CategoryUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=120)
    parent_id: uuid.UUID | None = None
    move_to_root: bool = False


class CategoryCreated(BaseModel):
    id: uuid.UUID
    slug: str


class CategoryList(BaseModel):
    items: list[CategoryRead]


async def _get(uow: UnitOfWork, category_id: uuid.UUID | None) -> Category:
    category = await uow.session.get(Category, category_id) if category_id else None
    if category is None:
        raise CategoryNotFound()
    return category


def _changed(category: Category) -> CategoryChanged:
    return CategoryChanged(
        id=category.id, slug=category.slug, name=category.name, parent_id=category.parent_id
    )


async def create_category(
    uow: UnitOfWork, *, name: str, parent_id: uuid.UUID | None = None, slug: str | None = None
) -> Category:
    """A new category under parent_id (or at the root), with a unique slug."""
    parent = await _get(uow, parent_id) if parent_id else None
    if slug is not None and await uow.session.scalar(
        select(Category.id).where(Category.slug == slug)
    ):
        raise Conflict("This category slug is already taken", details={"slug": slug})
    category_id = new_id()
    category = Category(
        id=category_id,
        name=name,
        slug=slug or await unique_slug(uow.session, Category.slug, name),
        parent_id=parent.id if parent else None,
        path=f"{parent.path if parent else '/'}{category_id}/",
        created_at=uow.clock.now(),
    )
    uow.session.add(category)
    uow.record(_changed(category))
    return category


async def update_category(
    uow: UnitOfWork, *, category_id: uuid.UUID | None, body: CategoryUpdate
) -> Category:
    """Rename or move a category; a move carries its whole subtree along."""
    category = await _get(uow, category_id)
    if body.name is not None:
        category.name = body.name
    if body.parent_id is not None or body.move_to_root:
        parent = await _get(uow, body.parent_id) if body.parent_id else None
        if parent is not None and parent.path.startswith(category.path):
            raise ValidationFailed("A category cannot move under itself or its descendants")
        old_path = category.path
        new_path = f"{parent.path if parent else '/'}{category.id}/"
        category.parent_id = parent.id if parent else None
        await uow.session.execute(
            update(Category)
            .where(Category.path.startswith(old_path))
            .values(path=func.replace(Category.path, old_path, new_path))
            .execution_options(synchronize_session=False)
        )
        category.path = new_path
    await _touch_products_in(uow, category)
    uow.record(_changed(category))
    return category


async def _touch_products_in(uow: UnitOfWork, category: Category) -> None:
    subtree = select(Category.id).where(Category.path.startswith(category.path))
    await uow.session.execute(
        update(Product)
        .where(Product.category_id.in_(subtree))
        .values(version=Product.version + 1)
        .execution_options(synchronize_session=False)
    )


async def delete_category(uow: UnitOfWork, *, category_id: uuid.UUID | None) -> None:
    """Delete a leaf category; its products become uncategorised."""
    category = await _get(uow, category_id)
    if await uow.session.scalar(select(Category.id).where(Category.parent_id == category.id)):
        raise Conflict("Delete or move the subcategories first")
    await _touch_products_in(uow, category)
    await uow.session.execute(
        update(Product)
        .where(Product.category_id == category.id)
        .values(category_id=None)
        .execution_options(synchronize_session=False)
    )
    await uow.session.delete(category)
    uow.record(_changed(category))


@router.post("/admin/categories", status_code=201, response_model=CategoryCreated)
async def post_category(
    body: CategoryCreate, _: AdminPrincipal, runtime: RuntimeDep
) -> CategoryCreated:
    async with runtime.uow() as uow:
        category = await create_category(
            uow, name=body.name, parent_id=body.parent_id, slug=body.slug
        )
        await uow.commit()
    return CategoryCreated(id=category.id, slug=category.slug)


@router.patch("/admin/categories/{category_id}", response_model=CategoryRead)
async def patch_category(
    category_id: str, body: CategoryUpdate, _: AdminPrincipal, runtime: RuntimeDep
) -> CategoryRead:
    async with runtime.uow() as uow:
        category = await update_category(uow, category_id=parse_id(category_id), body=body)
        await uow.commit()
    return CategoryRead.model_validate(category, from_attributes=True)


@router.delete("/admin/categories/{category_id}", status_code=204)
async def remove_category(category_id: str, _: AdminPrincipal, runtime: RuntimeDep) -> Response:
    async with runtime.uow() as uow:
        await delete_category(uow, category_id=parse_id(category_id))
        await uow.commit()
    return Response(status_code=204)


@router.get("/store/categories", response_model=CategoryList)
async def list_categories(runtime: RuntimeDep) -> CategoryList:
    async with runtime.db.read() as session:
        rows = await session.scalars(select(Category).order_by(Category.path))
        items = [CategoryRead.model_validate(c, from_attributes=True) for c in rows]
    return CategoryList(items=items)
