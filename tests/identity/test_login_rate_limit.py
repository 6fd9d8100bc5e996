"""More than 5 login attempts a minute from one IP → 429 RATE_LIMITED with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis import Redis

from emporium.app import create_app
from emporium.bootstrap import build_runtime
from emporium.contexts.identity.api import LOGIN_LIMITER
from emporium.kernel.clock import FakeClock
from tests.conftest import make_settings
from tests.http.test_envelope import assert_envelope
from tests.support import redis as support_redis
from tests.support.auth import AUTH, register_buyer, unique_email
from tests.support.redis import RedisServer


async def _attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(f"{AUTH}/login", json={"email": email, "password": password})


async def _five_wrong_attempts(client: httpx.AsyncClient, email: str) -> None:
    for _ in range(5):
        assert (await _attempt(client, email, "wrong-password")).status_code == 401


async def test_the_sixth_attempt_within_a_minute_is_refused(client: httpx.AsyncClient) -> None:
    email = unique_email()
    await _five_wrong_attempts(client, email)
    response = await _attempt(client, email, "wrong-password")
    error = assert_envelope(response, 429, "RATE_LIMITED")
    assert response.headers["retry-after"] == "60"
    assert error["details"] == {"retry_after": 60}


async def test_even_the_right_password_waits_until_the_window_has_passed(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    buyer = await register_buyer(client)
    await _five_wrong_attempts(client, buyer.email)
    clock.advance(seconds=45)
    refused = await _attempt(client, buyer.email, buyer.password)
    assert_envelope(refused, 429, "RATE_LIMITED")
    assert refused.headers["retry-after"] == "15"
    clock.advance(seconds=15)
    assert (await _attempt(client, buyer.email, buyer.password)).status_code == 200


async def test_counts_attempts_per_client_ip(app: FastAPI, client: httpx.AsyncClient) -> None:
    email = unique_email()
    await _five_wrong_attempts(client, email)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        assert (await _attempt(other, email, "wrong-password")).status_code == 401


redis_server = support_redis.redis_server


@pytest.fixture
async def redis_client(
    redis_server: RedisServer, database_url: str, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose login limiter counts in Redis (emptied for each test)."""
    with Redis.from_url(redis_server.url) as admin:
        admin.flushdb()
    settings = make_settings(
        database_url,
        tmp_path,
        redis_url=redis_server.url,
        password_hash_time_cost=1,
        password_hash_memory_kib=1024,
    )
    runtime = build_runtime(settings, clock=clock)
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await runtime.services[LOGIN_LIMITER].aclose()
        await runtime.db.dispose()


async def test_with_redis_the_sixth_attempt_is_refused_too(redis_client: httpx.AsyncClient) -> None:
    email = unique_email()
    await _five_wrong_attempts(redis_client, email)
    response = await _attempt(redis_client, email, "wrong-password")
    assert_envelope(response, 429, "RATE_LIMITED")
    assert 1 <= int(response.headers["retry-after"]) <= 60
