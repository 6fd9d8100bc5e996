"""Who may touch which product: sellers their own vendor's, admins every one (else 404)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from emporium.contexts.catalog.errors import ProductNotFound, VariantNotFound
from emporium.contexts.catalog.models import Product, Variant
from emporium.kernel.uow import UnitOfWork


async def product_for_update(
    uow: UnitOfWork, product_id: uuid.UUID | None, vendor_scope: uuid.UUID | None
) -> Product:
    """The product locked for update, if it is in the caller's scope (another vendor's: 404)."""
    if product_id is None:
        raise ProductNotFound()
    stmt = select(Product).where(Product.id == product_id).with_for_update()
    if vendor_scope is not None:
        stmt = stmt.where(Product.vendor_id == vendor_scope)
    product = await uow.session.scalar(stmt)
    if product is None:
        raise ProductNotFound()
    return product


async def variant_for_update(
    uow: UnitOfWork, variant_id: uuid.UUID | None, vendor_scope: uuid.UUID | None
) -> Variant:
    if variant_id is None:
        raise VariantNotFound()
    stmt = select(Variant).where(Variant.id == variant_id).with_for_update()
    if vendor_scope is not None:
        stmt = stmt.where(Variant.vendor_id == vendor_scope)
    variant = await uow.session.scalar(stmt)
    if variant is None:
        raise VariantNotFound()
    return variant
