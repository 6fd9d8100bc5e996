"""The checkout context's routes."""

from __future__ import annotations

from fastapi import APIRouter

from emporium.contexts.checkout import queries, start

router = APIRouter()
for module in (start, queries):
    router.include_router(module.router)
