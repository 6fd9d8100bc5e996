"""Who is calling: the Principal, and route guards by role. Identity supplies the authenticator."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Protocol

from fastapi import Depends, Request

from emporium.kernel.errors import AuthenticationFailed, Forbidden


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user (by token) or an integration (by API key)."""

    user_id: uuid.UUID
    role: Role
    vendor_id: uuid.UUID | None = None
    via_api_key: bool = False

    @property
    def actor(self) -> str:
        return f"{self.role.value}:{self.user_id}"

    @property
    def vendor_scope(self) -> uuid.UUID | None:
        """None for admins (everything); a seller's own vendor (nothing if they have none)."""
        if self.role == Role.ADMIN:
            return None
        return self.vendor_id or uuid.UUID(int=0)


class Authenticator(Protocol):
    async def authenticate(self, request: Request) -> Principal | None:
        """The caller of request, None when it carries no credentials; raises on bad ones."""
        ...


AUTHENTICATOR = "authenticator"


async def optional_principal(request: Request) -> Principal | None:
    """The caller if it sent credentials (bad credentials still fail with 401)."""
    if "principal" in request.state._state:
        cached: Principal | None = request.state.principal
        return cached
    runtime = request.app.state.runtime
    authenticator: Authenticator | None = runtime.services.get(AUTHENTICATOR)
    principal = await authenticator.authenticate(request) if authenticator else None
    request.state.principal = principal
    return principal


async def current_principal(request: Request) -> Principal:
    """The authenticated caller; 401 AUTHENTICATION_ERROR when there is none."""
    principal = await optional_principal(request)
    if principal is None:
        raise AuthenticationFailed("Authentication is required")
    return principal


def require_roles(*roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that admits only callers with one of roles (403 otherwise)."""
    allowed = frozenset(roles)

    async def guard(request: Request) -> Principal:
        principal = await current_principal(request)
        if principal.role not in allowed:
            raise Forbidden("This action needs the role " + " or ".join(sorted(allowed)))
        return principal

    return guard


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
SellerPrincipal = Annotated[Principal, Depends(require_roles(Role.SELLER))]
SellerOrAdminPrincipal = Annotated[Principal, Depends(require_roles(Role.SELLER, Role.ADMIN))]
BuyerPrincipal = Annotated[Principal, Depends(require_roles(Role.BUYER, Role.SELLER, Role.ADMIN))]
