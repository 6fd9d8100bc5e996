"""A product's life: created as a draft with its variants, edited, published, archived."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from sqlalchemy import select

from emporium.contexts.catalog.access import product_for_update
from emporium.contexts.catalog.denormalize import refresh_product
from emporium.contexts.catalog.errors import (
    CategoryNotFound,
    SlugTaken,
    VendorNotApproved,
    VendorNotFound,
)
from emporium.contexts.catalog.events import (
    ProductArchived,
    ProductCreated,
    ProductPublished,
    ProductUpdated,
)
from emporium.contexts.catalog.models import Category, Product, ProductStatus, Vendor, VendorStatus
from emporium.contexts.catalog.product_view import load_product_read
from emporium.contexts.catalog.schemas import ProductCreate, ProductRead, ProductUpdate, StatusRead
from emporium.contexts.catalog.slugs import unique_slug
from emporium.contexts.catalog.variants import add_variant
from emporium.kernel.errors import InvalidStateTransition
from emporium.kernel.http.auth import SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["products"])


async def _check_category(uow: UnitOfWork, category_id: uuid.UUID | None) -> None:
    if category_id is not None and await uow.session.get(Category, category_id) is None:
        raise CategoryNotFound(details={"category_id": str(category_id)})


async def create_product(
    uow: UnitOfWork,
    body: ProductCreate,
    *,
    vendor_id: uuid.UUID,
    currency: str,
    actor: str | None,
) -> Product:
    """A draft product with its variants and their initial stock."""
    await _check_category(uow, body.category_id)
    now = uow.clock.now()
    product = Product(
        id=new_id(),
        vendor_id=vendor_id,
        slug=await unique_slug(uow.session, Product.slug, body.title),
        title=body.title,
        description=body.description,
        status=ProductStatus.DRAFT.value,
        category_id=body.category_id,
        attributes=dict(body.attributes),
        currency=currency,
        version=0,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(product)
    await uow.session.flush()
    for position, variant in enumerate(body.variants):
        await add_variant(uow, product, variant, currency=currency, actor=actor, position=position)
    await refresh_product(uow, product)
    uow.record(
        ProductCreated(id=product.id, vendor_id=vendor_id, slug=product.slug, title=product.title)
    )
    return product


async def update_product(uow: UnitOfWork, product: Product, body: ProductUpdate) -> Product:
    """Edit a product; its slug changes only when asked for explicitly (links stay stable)."""
    changed: list[str] = []
    if body.slug is not None and body.slug != product.slug:
        if await uow.session.scalar(select(Product.id).where(Product.slug == body.slug)):
            raise SlugTaken(details={"slug": body.slug})
        product.slug = body.slug
        changed.append("slug")
    if body.category_id is not None or body.clear_category:
        await _check_category(uow, body.category_id)
        product.category_id = None if body.clear_category else body.category_id
        changed.append("category_id")
    for field in ("title", "description", "attributes"):
        value = getattr(body, field)
        if value is not None and value != getattr(product, field):
            setattr(product, field, dict(value) if field == "attributes" else value)
            changed.append(field)
    if changed:
        await refresh_product(uow, product)
        uow.record(ProductUpdated(id=product.id, vendor_id=product.vendor_id, changed=changed))
    return product


async def publish_product(uow: UnitOfWork, product: Product) -> Product:
    """Show the product in the store: its vendor must be approved and it needs a variant."""
    vendor = await uow.session.get(Vendor, product.vendor_id)
    if vendor is None or vendor.status != VendorStatus.APPROVED:
        raise VendorNotApproved(details={"vendor_status": vendor.status if vendor else None})
    if product.status == ProductStatus.PUBLISHED:
        return product
    if product.price_min is None:
        raise InvalidStateTransition("A product needs at least one variant to be published")
    product.status = ProductStatus.PUBLISHED.value
    product.published_at = uow.clock.now()
    await refresh_product(uow, product)
    uow.record(ProductPublished(id=product.id, vendor_id=product.vendor_id))
    return product


async def archive_product(uow: UnitOfWork, product: Product) -> Product:
    """Take the product out of the store for good (its orders keep their snapshots)."""
    if product.status == ProductStatus.ARCHIVED:
        return product
    product.status = ProductStatus.ARCHIVED.value
    await refresh_product(uow, product)
    uow.record(ProductArchived(id=product.id, vendor_id=product.vendor_id))
    return product


@router.post("/seller/products", status_code=201, response_model=ProductRead)
async def post_product(
    body: ProductCreate,
    principal: SellerOrAdminPrincipal,
    runtime: RuntimeDep,
    vendor_id: uuid.UUID | None = None,
) -> ProductRead:
    """Sellers create for their vendor; admins name the vendor with ?vendor_id=."""
    owner = principal.vendor_scope or vendor_id
    async with runtime.uow() as uow:
        if owner is None or await uow.session.get(Vendor, owner) is None:
            raise VendorNotFound()
        product = await create_product(
            uow,
            body,
            vendor_id=owner,
            currency=runtime.settings.default_currency,
            actor=principal.actor,
        )
        read = await load_product_read(uow.session, product.id)
        await uow.commit()
    return read


@router.patch("/seller/products/{product_id}", response_model=ProductRead)
async def patch_product(
    product_id: str, body: ProductUpdate, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> ProductRead:
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        await update_product(uow, product, body)
        read = await load_product_read(uow.session, product.id)
        await uow.commit()
    return read


@router.post("/seller/products/{product_id}/publish", response_model=StatusRead)
async def post_publish(
    product_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> StatusRead:
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        await publish_product(uow, product)
        await uow.commit()
    return StatusRead(status=product.status)


@router.post("/seller/products/{product_id}/archive", response_model=StatusRead)
async def post_archive(
    product_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> StatusRead:
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        await archive_product(uow, product)
        await uow.commit()
    return StatusRead(status=product.status)


@router.delete("/seller/products/{product_id}", status_code=204)
async def delete_product(
    product_id: str, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> Response:
    """Deleting archives: orders and carts may still point at the product's variants."""
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        await archive_product(uow, product)
        await uow.commit()
    return Response(status_code=204)
