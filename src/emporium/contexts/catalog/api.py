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
for module in (
    vendors,
    categories,
    collections,
    products,
    product_view,
    variants,
    images,
    browse,
    store_detail,
):
    router.include_router(module.router)
