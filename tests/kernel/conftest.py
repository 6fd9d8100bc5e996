"""Kernel test fixtures: test-only tables and a stand-in authenticator for admin routes."""

from __future__ import annotations

import uuid

import pytest
from fastapi import Request

from emporium.kernel.errors import AuthenticationFailed
from emporium.kernel.http.auth import AUTHENTICATOR, Principal, Role
from emporium.kernel.runtime import Runtime
from tests.kernel.builders import create_test_tables

ADMIN = {"Authorization": "Bearer test-admin"}
BUYER = {"Authorization": "Bearer test-buyer"}
_TOKENS = {"test-admin": Role.ADMIN, "test-buyer": Role.BUYER}


class StandInAuthenticator:
    """Until identity is merged: `Bearer test-admin` is an admin, `Bearer test-buyer` a buyer."""

    async def authenticate(self, request: Request) -> Principal | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        role = _TOKENS.get(header.removeprefix("Bearer "))
        if role is None:
            raise AuthenticationFailed("The token is not valid")
        return Principal(user_id=uuid.UUID(int=1), role=role)


@pytest.fixture
async def runtime(runtime: Runtime) -> Runtime:
    await create_test_tables(runtime.db.engine)
    runtime.provide(AUTHENTICATOR, StandInAuthenticator())
    return runtime
