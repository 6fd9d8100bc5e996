"""The inventory context's routes."""

from __future__ import annotations

from fastapi import APIRouter

from emporium.contexts.inventory import queries, stock

router = APIRouter()
router.include_router(stock.router)
router.include_router(queries.router)
