"""The first admin: `emporium users create-admin`, and the facade behind it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
import pytest

from emporium.contexts.identity import EmailTaken, create_admin
from emporium.kernel.errors import ValidationFailed
from emporium.kernel.runtime import Runtime
from tests.support.auth import AUTH, login, register_buyer, unique_email

EMPORIUM = Path(sys.executable).parent / "emporium"


async def _cli(database_url: str, cwd: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "EMPORIUM_DATABASE_URL": database_url, "EMPORIUM_SECRET_KEY": "cli-test"}
    process = await asyncio.create_subprocess_exec(
        str(EMPORIUM),
        "users",
        "create-admin",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


async def test_the_cli_creates_an_admin_who_can_log_in(
    database_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    email = unique_email("admin")
    code, output = await _cli(
        database_url, tmp_path, "--email", email, "--password", "a-long-password"
    )
    assert code == 0, output
    assert email in output
    tokens = (await login(client, email, "a-long-password")).json()
    me = await client.get(
        f"{AUTH}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json()["role"] == "admin"


async def test_the_cli_refuses_an_email_that_exists_with_a_clear_message(
    database_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    buyer = await register_buyer(client)
    code, output = await _cli(
        database_url, tmp_path, "--email", buyer.email, "--password", "a-long-password"
    )
    assert code == 1
    assert "already exists" in output
    assert "Traceback" not in output


async def test_the_facade_refuses_a_short_password(runtime: Runtime) -> None:
    async with runtime.uow() as uow:
        with pytest.raises(ValidationFailed, match="password"):
            await create_admin(uow, unique_email(), "short")


async def test_the_facade_refuses_an_existing_email(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    buyer = await register_buyer(client)
    async with runtime.uow() as uow:
        with pytest.raises(EmailTaken):
            await create_admin(uow, buyer.email.upper(), "a-long-password")
