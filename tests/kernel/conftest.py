"""Kernel test fixtures: test-only tables for subscribers to write their effects into."""

from __future__ import annotations

import pytest

from emporium.kernel.runtime import Runtime
from tests.kernel.builders import create_test_tables


@pytest.fixture
async def runtime(runtime: Runtime) -> Runtime:
    await create_test_tables(runtime.db.engine)
    return runtime
