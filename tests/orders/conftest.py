from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, make_admin, register_buyer


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)


@pytest.fixture
async def buyer(client: httpx.AsyncClient) -> AuthedUser:
    return await register_buyer(client)
