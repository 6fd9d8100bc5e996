"""GET /store/search: typo-tolerant product search with filters and facets."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from emporium.contexts import catalog
from emporium.contexts.search.port import MAX_LIMIT, SearchEngine, SearchHit, SearchQuery
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.schemas import MoneyOut
from emporium.kernel.runtime import Runtime

router = APIRouter(tags=["store"])
SEARCH = "search"
MAX_QUERY_LENGTH = 10_000


class HitRead(BaseModel):
    product_id: str
    slug: str
    title: str
    price: MoneyOut
    price_max: MoneyOut
    vendor: dict[str, str]
    category: str | None
    image: str | None
    score: float


class SearchRead(BaseModel):
    hits: list[HitRead]
    facets: dict[str, Any]
    total: int
    processing_time_ms: float


def _hit(hit: SearchHit) -> HitRead:
    return HitRead(
        product_id=hit.product_id,
        slug=hit.slug,
        title=hit.title,
        price=MoneyOut(amount=hit.price_min, currency=hit.currency),
        price_max=MoneyOut(amount=hit.price_max, currency=hit.currency),
        vendor={"id": hit.vendor_id, "name": hit.vendor_name},
        category=hit.category_slug,
        image=hit.image_url,
        score=round(hit.score, 4),
    )


async def search_products(runtime: Runtime, query: SearchQuery) -> SearchRead:
    """Run a search, leaving out vendors suspended since the index last heard of them."""
    async with runtime.db.read() as session:
        hidden = await catalog.suspended_vendor_ids(session)
    engine: SearchEngine = runtime.services[SEARCH]
    scoped = replace(query, exclude_vendor_ids=tuple(str(v) for v in hidden))
    result = await engine.search(scoped)
    return SearchRead(
        hits=[_hit(h) for h in result.hits],
        facets=result.facets.to_dict(),
        total=result.total,
        processing_time_ms=round(result.processing_time_ms, 2),
    )


async def matching_product_ids(runtime: Runtime, text: str, *, limit: int = 200) -> list[uuid.UUID]:
    """The best text matches' ids, for the store listing's `q` filter."""
    ids: list[uuid.UUID] = []
    for offset in range(0, limit, MAX_LIMIT):
        page = await search_products(
            runtime, SearchQuery(text=text, limit=MAX_LIMIT, offset=offset)
        )
        ids += [uuid.UUID(h.product_id) for h in page.hits]
        if len(page.hits) < MAX_LIMIT:
            break
    return ids


@router.get("/store/search", response_model=SearchRead)
async def get_search(
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    category: Annotated[str | None, Query(max_length=140)] = None,
    vendor_id: Annotated[str | None, Query(max_length=64)] = None,
    min_price: Annotated[int | None, Query(ge=0)] = None,
    max_price: Annotated[int | None, Query(ge=0)] = None,
    in_stock: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SearchRead:
    query = SearchQuery(
        text=q,
        category=category,
        vendor_id=vendor_id,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
        limit=limit,
        offset=offset,
    )
    return await search_products(runtime, query)
