"""Store product detail, cache-aside: the cached body is trusted only at the current version.

Every read first fetches the product's version (one indexed lookup that also checks the
product is published and its vendor approved), so an update is visible the moment it
commits, on every process, whatever the cache holds. Availability and VAT are filled in per
request: they change without the product changing.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement, Select, String, bindparam, select

from emporium.contexts import inventory, pricing
from emporium.contexts.catalog.browse import visible_products
from emporium.contexts.catalog.errors import ProductNotFound
from emporium.contexts.catalog.models import Category, Product, ProductImage, Variant, Vendor
from emporium.kernel.cache import Cache
from emporium.kernel.db import Database, UUIDType
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.ids import parse_id
from emporium.kernel.money import Money

router = APIRouter(tags=["store"])
CACHE = "cache"
TTL_SECONDS = 600


def cache_key(product_id: uuid.UUID | str) -> str:
    return f"product:{product_id}"


def _state_statement(match: ColumnElement[bool]) -> Select[Any]:
    """The product's id and version, and each variant's stock: one round trip."""
    stock = inventory.stock_rows().subquery()
    return (
        visible_products()
        .with_only_columns(
            Product.id, Product.version, stock.c.variant_id, stock.c.on_hand, stock.c.reserved
        )
        .outerjoin(stock, stock.c.product_id == Product.id)
        .where(match)
    )


# Built once: composing the statement per request cost more than running it.
_STATE_BY_ID = _state_statement(Product.id == bindparam("key", type_=UUIDType))
_STATE_BY_SLUG = _state_statement(Product.slug == bindparam("key", type_=String))


async def _current_state(db: Database, id_or_slug: str) -> tuple[uuid.UUID, int, dict[str, int]]:
    """The product's id and version, and what each variant has available."""
    key = parse_id(id_or_slug)
    stmt = _STATE_BY_ID if key else _STATE_BY_SLUG
    rows = await db.read_rows(stmt, {"key": key or id_or_slug[:220]})
    if not rows:
        raise ProductNotFound()
    available = {
        str(variant_id): max(on_hand - reserved, 0)
        for _, _, variant_id, on_hand, reserved in rows
        if variant_id is not None
    }
    return rows[0][0], rows[0][1], available


# The cached body's three reads, built once like the state statement above.
_PRODUCT = (
    select(
        Product.slug,
        Product.title,
        Product.description,
        Product.attributes,
        Product.vendor_id,
        Product.rating_average,
        Product.rating_count,
        Vendor.name,
        Category.id,
        Category.slug,
        Category.name,
    )
    .join(Vendor, Vendor.id == Product.vendor_id)
    .outerjoin(Category, Category.id == Product.category_id)
    .where(Product.id == bindparam("product_id", type_=UUIDType))
)
_VARIANTS = (
    select(
        Variant.id,
        Variant.sku,
        Variant.title,
        Variant.attributes,
        Variant.price_amount,
        Variant.price_currency,
        Variant.tax_category,
        Variant.weight_grams,
        Variant.is_unique,
        Variant.condition,
        Variant.grade,
        Variant.certification,
    )
    .where(
        Variant.product_id == bindparam("product_id", type_=UUIDType),
        Variant.archived_at.is_(None),
    )
    .order_by(Variant.position)
)
_IMAGES = (
    select(
        ProductImage.id, ProductImage.url, ProductImage.alt, ProductImage.width, ProductImage.height
    )
    .where(ProductImage.product_id == bindparam("product_id", type_=UUIDType))
    .order_by(ProductImage.position)
)


async def _build(db: Database, product_id: uuid.UUID, version: int) -> dict[str, Any]:
    """The cacheable body at version: plain rows, no ORM session (a miss costs ~3 reads).

    The reads come after the version check, so the body is never older than `version`; if
    the product changed in between, the next read finds a newer version and rebuilds.
    """
    key = {"product_id": product_id}
    product = (await db.read_rows(_PRODUCT, key))[0]
    (slug, title, description, attributes, vendor_id, rating, ratings) = product[:7]
    vendor_name, category_id, category_slug, category_name = product[7:]
    return {
        "version": version,
        "id": str(product_id),
        "slug": slug,
        "title": title,
        "description": description,
        "vendor": {"id": str(vendor_id), "name": vendor_name},
        "category": {"id": str(category_id), "slug": category_slug, "name": category_name}
        if category_id
        else None,
        "attributes": attributes,
        "images": [
            {"id": str(image_id), "url": url, "alt": alt, "width": width, "height": height}
            for image_id, url, alt, width, height in await db.read_rows(_IMAGES, key)
        ],
        "rating": {"average": float(rating), "count": ratings},
        "variants": [
            {
                "id": str(v[0]),
                "sku": v[1],
                "title": v[2],
                "attributes": v[3],
                "price": Money(v[4], v[5]).to_dict(),
                "tax_category": v[6],
                "weight_grams": v[7],
                "unique": v[8],
                "condition": v[9],
                "grade": v[10],
                "certification": v[11],
            }
            for v in await db.read_rows(_VARIANTS, key)
        ],
    }


async def product_detail(
    db: Database,
    cache: Cache,
    id_or_slug: str,
    *,
    country: str,
    vat_rates: pricing.VatRateCache,
) -> dict[str, Any]:
    """The buyer's view of a product, with availability and the VAT part for country.

    Only the version check must reach the database on every read; a cache miss adds three
    plain reads, and the session below connects only when the VAT table is due a refresh.
    """
    product_id, version, available = await _current_state(db, id_or_slug)
    body = await cache.get(cache_key(product_id))
    if body is None or body.get("version") != version:
        body = await _build(db, product_id, version)
        await cache.set(cache_key(product_id), body, ttl_seconds=TTL_SECONDS)
    async with db.read() as session:
        rates = await vat_rates.rates(session, country)
    variants = []
    for v in body["variants"]:
        price = Money(**v["price"])
        rate = rates.get(v["tax_category"], rates.get("standard", Decimal(0)))
        vat = pricing.vat_part(price, rate) if rate else Money.zero(price.currency)
        variants.append(
            {
                **v,
                "available": available.get(v["id"], 0),
                "vat": vat.to_dict(),
                "vat_rate": str(rate),
            }
        )
    detail = {k: val for k, val in body.items() if k != "version"}
    return {**detail, "variants": variants, "country": country}


@router.get("/store/products/{id_or_slug}", response_class=JSONResponse)
async def get_product(
    id_or_slug: str,
    runtime: RuntimeDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
) -> JSONResponse:
    """A product for the storefront; plain JSON types, so it skips FastAPI's re-encoding."""
    detail = await product_detail(
        runtime.db,
        runtime.services[CACHE],
        id_or_slug,
        country=(country or runtime.settings.default_country).upper(),
        vat_rates=runtime.services[pricing.VAT_CACHE],
    )
    return JSONResponse(detail)
