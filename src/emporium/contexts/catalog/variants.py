"""Adding and editing variants: SKU unique per vendor, unique items with one certificate each."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from emporium.contexts import inventory
from emporium.contexts.catalog.access import product_for_update, variant_for_update
from emporium.contexts.catalog.denormalize import refresh_product
from emporium.contexts.catalog.errors import (
    DuplicateCertification,
    DuplicateSku,
    InvalidCatalogData,
    NotAUniqueItem,
)
from emporium.contexts.catalog.events import PriceChanged, VariantAdded, VariantUpdated
from emporium.contexts.catalog.models import Product, Variant
from emporium.contexts.catalog.schemas import (
    StockRead,
    VariantCreate,
    VariantRead,
    VariantUpdate,
)
from emporium.kernel.db import is_unique_violation
from emporium.kernel.http.auth import SellerOrAdminPrincipal
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.ids import new_id, parse_id
from emporium.kernel.money import Money
from emporium.kernel.uow import UnitOfWork

router = APIRouter(tags=["products"])


def check_currency(price: Money, currency: str) -> None:
    if price.currency != currency:
        raise InvalidCatalogData(
            f"Prices are in the store currency {currency}",
            details={"currency": price.currency, "expected": currency},
        )


async def _check_free(
    uow: UnitOfWork,
    product: Product,
    sku: str | None,
    certification: str | None,
    *,
    exclude: Variant | None = None,
) -> None:
    if sku is not None:
        stmt = select(Variant.id).where(Variant.vendor_id == product.vendor_id, Variant.sku == sku)
        found = await uow.session.scalar(stmt)
        if found is not None and (exclude is None or found != exclude.id):
            raise DuplicateSku(details={"sku": sku})
    if certification is not None:
        found = await uow.session.scalar(
            select(Variant.id).where(Variant.certification == certification)
        )
        if found is not None and (exclude is None or found != exclude.id):
            raise DuplicateCertification(details={"certification": certification})


async def flush_variant(uow: UnitOfWork) -> None:
    """Flush, turning a lost race on a unique column into the same 409 as the check."""
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        if is_unique_violation(exc, "catalog_variant", "certification"):
            raise DuplicateCertification() from exc
        if is_unique_violation(exc, "catalog_variant", "vendor_id"):
            raise DuplicateSku() from exc
        raise


async def add_variant(
    uow: UnitOfWork,
    product: Product,
    body: VariantCreate,
    *,
    currency: str,
    actor: str | None,
    position: int,
) -> Variant:
    """A new variant of product, with its stock item (and initial stock if given)."""
    price = body.price.to_money()
    check_currency(price, currency)
    await _check_free(uow, product, body.sku, body.certification)
    now = uow.clock.now()
    variant = Variant(
        id=new_id(),
        product_id=product.id,
        vendor_id=product.vendor_id,
        sku=body.sku,
        title=body.title,
        attributes=dict(body.attributes),
        weight_grams=body.weight_grams,
        tax_category=body.tax_category.value,
        price_amount=price.amount,
        price_currency=price.currency,
        is_unique=body.unique,
        condition=body.condition,
        grade=body.grade,
        certification=body.certification,
        position=position,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(variant)
    await flush_variant(uow)
    await inventory.create_item(
        uow,
        variant_id=variant.id,
        product_id=product.id,
        vendor_id=product.vendor_id,
        unique=body.unique,
        on_hand=body.stock if body.stock is not None else int(body.unique),
        actor=actor,
    )
    uow.record(
        VariantAdded(
            id=variant.id,
            product_id=product.id,
            vendor_id=product.vendor_id,
            sku=variant.sku,
            price=price,
            unique=variant.is_unique,
        )
    )
    return variant


async def update_variant(
    uow: UnitOfWork, variant: Variant, body: VariantUpdate, *, currency: str
) -> Variant:
    """Edit a variant; a price change is its own event (carts and price lists react to it)."""
    if not variant.is_unique and (body.grade or body.certification):
        raise NotAUniqueItem()
    product = await product_for_update(uow, variant.product_id, None)
    await _check_free(uow, product, None, body.certification, exclude=variant)
    changed: list[str] = []
    if body.price is not None:
        price = body.price.to_money()
        check_currency(price, currency)
        if price != variant.price:
            uow.record(
                PriceChanged(
                    variant_id=variant.id,
                    product_id=product.id,
                    old_price=variant.price,
                    new_price=price,
                )
            )
            variant.price_amount, variant.price_currency = price.amount, price.currency
            changed.append("price")
    for field in ("title", "attributes", "weight_grams", "condition", "grade", "certification"):
        value = getattr(body, field)
        if value is not None and value != getattr(variant, field):
            setattr(variant, field, dict(value) if field == "attributes" else value)
            changed.append(field)
    if body.tax_category is not None and body.tax_category.value != variant.tax_category:
        variant.tax_category = body.tax_category.value
        changed.append("tax_category")
    if changed:
        variant.updated_at = uow.clock.now()
        await flush_variant(uow)
        await refresh_product(uow, product)
        uow.record(VariantUpdated(id=variant.id, product_id=product.id, changed=changed))
    return variant


def variant_read(variant: Variant, stock: inventory.Availability | None = None) -> VariantRead:
    return VariantRead(
        id=variant.id,
        sku=variant.sku,
        title=variant.title,
        attributes=variant.attributes,
        price=MoneyOut.of(variant.price),
        weight_grams=variant.weight_grams,
        tax_category=variant.tax_category,
        unique=variant.is_unique,
        condition=variant.condition,
        grade=variant.grade,
        certification=variant.certification,
        stock=StockRead(on_hand=stock.on_hand, reserved=stock.reserved, available=stock.available)
        if stock
        else None,
    )


@router.post("/seller/products/{product_id}/variants", status_code=201, response_model=VariantRead)
async def post_variant(
    product_id: str, body: VariantCreate, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> VariantRead:
    async with runtime.uow() as uow:
        product = await product_for_update(uow, parse_id(product_id), principal.vendor_scope)
        count = await uow.session.scalar(
            select(func.count()).select_from(Variant).where(Variant.product_id == product.id)
        )
        variant = await add_variant(
            uow,
            product,
            body,
            currency=runtime.settings.default_currency,
            actor=principal.actor,
            position=int(count or 0),
        )
        await refresh_product(uow, product)
        levels = await inventory.availability(uow.session, [variant.id])
        await uow.commit()
    return variant_read(variant, levels.get(variant.id))


@router.patch("/seller/variants/{variant_id}", response_model=VariantRead)
async def patch_variant(
    variant_id: str, body: VariantUpdate, principal: SellerOrAdminPrincipal, runtime: RuntimeDep
) -> VariantRead:
    async with runtime.uow() as uow:
        variant = await variant_for_update(uow, parse_id(variant_id), principal.vendor_scope)
        variant = await update_variant(
            uow, variant, body, currency=runtime.settings.default_currency
        )
        levels = await inventory.availability(uow.session, [variant.id])
        await uow.commit()
    return variant_read(variant, levels.get(variant.id))
