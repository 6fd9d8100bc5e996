"""The pricing context's routes."""

from __future__ import annotations

from fastapi import APIRouter

from emporium.contexts.pricing import (
    bundle_store,
    bundles,
    customer_groups,
    discounts,
    preview,
    price_lists,
    vat_admin,
)

router = APIRouter()
for module in (customer_groups, price_lists, discounts, bundles, bundle_store, vat_admin, preview):
    router.include_router(module.router)
