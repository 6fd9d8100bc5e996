"""The catalog context's routes."""

from __future__ import annotations

from fastapi import APIRouter

from emporium.contexts.catalog import (
    browse,
    categories,
    collections,
    images,
    product_view,
    products,
    store_detail,
    variants,
    vendors,
)

router = APIRouter()
# Storefront reads first: FastAPI tries routes in order, twice per level of inclusion, and
# the busiest requests should not pay for matching every seller and admin route first.
for module in (
    store_detail,
    browse,
    vendors,
    categories,
    collections,
    products,
    product_view,
    variants,
    images,
):
    router.include_router(module.router)
