"""The cart context's routes."""

from __future__ import annotations

from fastapi import APIRouter

from emporium.contexts.cart import (
    add_item,
    bundles,
    create,
    discounts,
    merge,
    queries,
    update_item,
)

router = APIRouter()
for module in (create, queries, add_item, update_item, merge, discounts, bundles):
    router.include_router(module.router)
