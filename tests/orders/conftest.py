"""Orders fixtures: an admin, a buyer, and the sandbox carrier's webhooks routed into the app."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import AuthedUser, make_admin, register_buyer
from tests.support.webhooks import route_outbound_to


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path, gateway_retry_base_seconds=0, public_url="http://testserver"
    )


@pytest.fixture
def carrier_reaches_app(runtime: Runtime, app: FastAPI) -> None:
    route_outbound_to(runtime, app)


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)


@pytest.fixture
async def buyer(client: httpx.AsyncClient) -> AuthedUser:
    return await register_buyer(client)
