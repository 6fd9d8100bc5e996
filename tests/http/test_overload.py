"""When every database connection stays busy, a request is told to retry: 503, never a 500."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.conftest import make_settings
from tests.http.test_envelope import assert_envelope

POOL = 1  # and twice as many more under bursts: three connections in all


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, db_pool_size=POOL, db_pool_timeout_seconds=0.2)


async def test_a_request_that_finds_no_free_connection_is_answered_503_with_retry_after(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    async with contextlib.AsyncExitStack() as busy:
        for _ in range(POOL * 3):
            session = await busy.enter_async_context(runtime.db.read())
            await session.execute(text("SELECT 1"))
        response = await client.get("/api/v1/store/products")
    error = assert_envelope(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["retry-after"] == "1"
    assert "pool" not in str(error["message"]).lower()
    after = await client.get("/api/v1/store/products")
    assert after.status_code == 200
