from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from emporium.kernel.runtime import Runtime
from tests.support.auth import AuthedUser, make_admin


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)
