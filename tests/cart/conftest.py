from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import AuthedUser, make_admin
from tests.support.catalog import approved_seller

# Shorter than an access token's life (15 min), so a test can outlive a hold, not its login.
TTL_SECONDS = 300


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, reservation_ttl_seconds=TTL_SECONDS)


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)


@pytest.fixture
async def seller(client: httpx.AsyncClient, admin: AuthedUser) -> AuthedUser:
    return await approved_seller(client, admin)
