"""Identity tests hash many passwords: a cheaper argon2id work factor keeps them quick."""

from __future__ import annotations

from pathlib import Path

import pytest

from emporium.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url, tmp_path, password_hash_time_cost=1, password_hash_memory_kib=1024
    )
