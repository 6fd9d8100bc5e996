"""Wallet fixtures: retries without waiting, and the books checked after every test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from emporium.bootstrap import build_runtime
from emporium.kernel.clock import FakeClock
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.conftest import make_settings
from tests.support.auth import AuthedUser, make_admin
from tests.wallet.builders import assert_books_balance, drain_payouts


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Gateway and bank retries happen at once; the sandboxes deliver to the test app's host.
    return make_settings(
        database_url,
        tmp_path,
        gateway_retry_base_seconds=0,
        public_url="http://testserver",
    )


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    """The runtime; whatever the test did, afterwards the books balance to the cent."""
    rt = build_runtime(settings, clock=clock)
    try:
        yield rt
        await drain_payouts(rt)
        await assert_books_balance(rt)
    finally:
        await rt.aclose()


@pytest.fixture
async def admin(runtime: Runtime, client: httpx.AsyncClient, app: FastAPI) -> AuthedUser:
    return await make_admin(runtime, client)
