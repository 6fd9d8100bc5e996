"""Fixtures: every database test runs on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import shutil
import subprocess
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from emporium.app import create_app
from emporium.bootstrap import build_runtime
from emporium.kernel import migrate
from emporium.kernel.clock import FakeClock
from emporium.kernel.logging import configure_logging
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings
from tests.support.postgres import PostgresCluster, start_cluster

configure_logging("WARNING", json=True)

BACKENDS = ["sqlite", "postgresql"]
TEMPLATE_DB = "emporium_template"
_NO_POSTGRES = "PostgreSQL server binaries not found (set EMPORIUM_PG_BIN): PostgreSQL runs SKIPPED"
_skipped_pg: list[str] = []


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster | None]:
    cluster = start_cluster()
    if cluster is None:
        warnings.warn(_NO_POSTGRES, stacklevel=1)
        yield None
        return
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PostgresCluster | None) -> str | None:
    """A migrated database that each test's database is cloned from."""
    if pg_cluster is None:
        return None
    subprocess.run(
        [
            str(pg_cluster.bin_dir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(pg_cluster.port),
            "-U",
            pg_cluster.user,
            TEMPLATE_DB,
        ],
        check=True,
    )
    migrate.upgrade(pg_cluster.url(TEMPLATE_DB))
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[str]:
    """A fresh, migrated database for this test alone."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "emporium.db"
        shutil.copyfile(template, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    cluster: PostgresCluster | None = request.getfixturevalue("pg_cluster")
    request.getfixturevalue("pg_template")
    if cluster is None:
        _skipped_pg.append(request.node.nodeid)
        pytest.skip(_NO_POSTGRES)
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(cluster.dsn("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE_DB}"')
    finally:
        await admin.close()
    try:
        yield cluster.url(name)
    finally:
        admin = await asyncpg.connect(cluster.dsn("postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_settings(database_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256",
        "dispatcher": "off",
        "media_dir": tmp_path / "media",
        "search_index_dir": tmp_path / "search-index",
        "log_json": False,
        "redis_url": None,
        "db_pool_size": 20,
        # argon2id at its cheapest: the tests check behaviour, not hashing cost.
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 1024,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
async def runtime(settings: Settings, clock: FakeClock) -> AsyncIterator[Runtime]:
    rt = build_runtime(settings, clock=clock)
    try:
        yield rt
    finally:
        await rt.aclose()


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime=runtime)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_pg:
        terminalreporter.write_sep("!", _NO_POSTGRES, red=True, bold=True)
        terminalreporter.write_line(f"{len(_skipped_pg)} PostgreSQL test runs were skipped.")
