"""With EMPORIUM_REDIS_URL set, product detail is cached in a real Redis, and still never stale."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from emporium.app import create_app
from emporium.bootstrap import build_runtime
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from tests.conftest import make_settings
from tests.support import redis as support_redis
from tests.support.auth import make_admin
from tests.support.catalog import approved_seller, published_product

redis_server = support_redis.redis_server


@pytest.fixture
async def redis_client(
    database_url: str, tmp_path: Path, clock: FakeClock, redis_server: support_redis.RedisServer
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    settings = make_settings(database_url, tmp_path, redis_url=redis_server.url)
    runtime = build_runtime(settings, clock=clock)
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, runtime
    finally:
        await runtime.aclose()


async def test_product_detail_is_cached_in_redis_and_never_stale(
    redis_client: tuple[httpx.AsyncClient, Runtime], redis_server: support_redis.RedisServer
) -> None:
    client, runtime = redis_client
    admin = await make_admin(runtime, client)
    seller = await approved_seller(client, admin)
    product = await published_product(client, seller)
    url = f"/api/v1/store/products/{product['id']}"
    assert (await client.get(url)).json()["variants"][0]["price"]["amount"] == 1999
    async with Redis.from_url(redis_server.url) as redis:
        assert await redis.exists(f"emporium:cache:product:{product['id']}")
    variant_id = product["variants"][0]["id"]
    await client.patch(
        f"/api/v1/seller/variants/{variant_id}",
        json={"price": {"amount": 2599, "currency": "EUR"}},
        headers=seller.headers,
    )
    assert (await client.get(url)).json()["variants"][0]["price"]["amount"] == 2599
