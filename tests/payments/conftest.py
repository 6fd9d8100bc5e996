"""Payments fixtures: retries without waiting, webhooks routed back into the app."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emporium.contexts import payments
from emporium.contexts.payments.gateway import GuardedGateway
from emporium.contexts.payments.sandbox_webhooks import SandboxWebhooks
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import AuthedUser, make_admin
from tests.support.webhooks import route_outbound_to


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Retries happen at once (no backoff sleeps); the sandbox delivers to the test app's host.
    return make_settings(
        database_url,
        tmp_path,
        gateway_retry_base_seconds=0,
        gateway_timeout_seconds=10,
        public_url="http://testserver",
    )


@pytest.fixture
def gateway(runtime: Runtime) -> GuardedGateway:
    return runtime.service(payments.GATEWAY, GuardedGateway)


@pytest.fixture
def sandbox_webhooks(runtime: Runtime, app: FastAPI) -> SandboxWebhooks:
    route_outbound_to(runtime, app)
    return runtime.service(payments.SANDBOX_WEBHOOKS, SandboxWebhooks)


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)
