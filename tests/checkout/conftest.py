from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emporium.contexts import payments
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import AuthedUser, make_admin, register_buyer
from tests.support.checkout import Shop, two_vendor_shop
from tests.support.webhooks import route_outbound_to

# Shorter than an access token's life (15 min), so a test can outlive a payment or a cart's
# hold, not its login.
PAYMENT_TIMEOUT_SECONDS = 300
RESERVATION_TTL_SECONDS = 120


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        payment_timeout_seconds=PAYMENT_TIMEOUT_SECONDS,
        reservation_ttl_seconds=RESERVATION_TTL_SECONDS,
    )


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)


@pytest.fixture
async def shop(client: httpx.AsyncClient, admin: AuthedUser) -> Shop:
    return await two_vendor_shop(client, admin)


@pytest.fixture
def sandbox_webhooks(runtime: Runtime, app: FastAPI) -> SandboxWebhooks:
    """The sandbox's webhooks reach this app in-process, as they would over the network."""
    route_outbound_to(runtime, app)
    return runtime.service(payments.SANDBOX_WEBHOOKS, SandboxWebhooks)


@pytest.fixture
async def buyer(client: httpx.AsyncClient) -> AuthedUser:
    return await register_buyer(client)
