"""Identity's HTTP routes under /api/v1/auth: thin, schema → command → handler → response."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from emporium.contexts.identity.api_keys import (
    CreateApiKey,
    RevokeApiKey,
    create_api_key,
    revoke_api_key,
)
from emporium.contexts.identity.authenticator import ACCESS_COOKIE
from emporium.contexts.identity.errors import ApiKeyNotFound
from emporium.contexts.identity.login import AfterLogin, LogIn, log_in
from emporium.contexts.identity.logout import LogOut, log_out
from emporium.contexts.identity.models import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    normalize_email,
)
from emporium.contexts.identity.passwords import Passwords
from emporium.contexts.identity.queries import get_user, list_api_keys
from emporium.contexts.identity.refresh import RefreshSession, refresh
from emporium.contexts.identity.register import RegisterUser, register
from emporium.contexts.identity.tokens import TokenIssuer, TokenPair
from emporium.kernel.errors import AuthenticationFailed, RateLimited
from emporium.kernel.http.auth import CurrentPrincipal, Role
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.pagination import CursorParam, LimitParam, decode_cursor, encode_cursor
from emporium.kernel.ids import parse_id
from emporium.kernel.ratelimit import RateLimiter
from emporium.kernel.uow import UnitOfWork

TOKENS = "identity.tokens"
PASSWORDS = "identity.passwords"
LOGIN_LIMITER = "identity.login_limiter"
# A list of `async def hook(uow, user_id, request)`, run in the login's transaction.
LOGIN_HOOKS = "identity.login_hooks"
LoginHook = Callable[[UnitOfWork, uuid.UUID, Request], Awaitable[None]]

router = APIRouter(prefix="/auth", tags=["identity"])

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, Field(max_length=320), AfterValidator(normalize_email)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]


class RegisterBody(BaseModel):
    email: Email
    password: Password
    name: Name
    role: Literal["buyer", "seller"] = "buyer"
    vendor_name: Name | None = None


class LoginBody(BaseModel):
    email: Annotated[str, Field(max_length=320)]
    password: Annotated[str, Field(max_length=MAX_PASSWORD_LENGTH)]


class RefreshBody(BaseModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class LogoutBody(BaseModel):
    refresh_token: Annotated[str | None, Field(max_length=512)] = None


class ApiKeyCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    vendor_id: uuid.UUID | None = None
    vendor_name: str | None = None
    created_at: datetime

    model_config = ConfigDict(from_attributes=True)


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int

    @classmethod
    def of(cls, pair: TokenPair) -> TokensOut:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_in=pair.expires_in,
        )


class RegisteredOut(TokensOut):
    user: UserOut


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None

    model_config = ConfigDict(from_attributes=True)


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key itself; shown this once, never stored")


class ApiKeyPage(BaseModel):
    items: list[ApiKeyOut]
    next_cursor: str | None = None


def _tokens(runtime: RuntimeDep) -> TokenIssuer:
    return runtime.service(TOKENS, TokenIssuer)


def _passwords(runtime: RuntimeDep) -> Passwords:
    return runtime.service(PASSWORDS, Passwords)


async def limit_login_attempts(request: Request, runtime: RuntimeDep) -> None:
    """429 RATE_LIMITED with Retry-After once an IP exceeds the login rate."""
    limiter: RateLimiter = runtime.services[LOGIN_LIMITER]
    decision = await limiter.hit(request.client.host if request.client else "unknown")
    if not decision.allowed:
        raise RateLimited(
            f"Too many login attempts; try again in {decision.retry_after} seconds",
            details={"retry_after": decision.retry_after},
            headers={"Retry-After": str(decision.retry_after)},
        )


Tokens = Annotated[TokenIssuer, Depends(_tokens)]
PasswordHashing = Annotated[Passwords, Depends(_passwords)]


def _with_request(hook: LoginHook, request: Request) -> AfterLogin:
    async def run(uow: UnitOfWork, user_id: uuid.UUID) -> None:
        await hook(uow, user_id, request)

    return run


def _set_access_cookie(request: Request, response: Response, pair: TokenPair) -> None:
    response.set_cookie(
        ACCESS_COOKIE,
        pair.access_token,
        max_age=pair.expires_in,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
        path="/",
    )


@router.post("/register", status_code=201, summary="Create a buyer or seller account")
async def register_route(
    body: RegisterBody,
    runtime: RuntimeDep,
    tokens: Tokens,
    passwords: PasswordHashing,
) -> RegisteredOut:
    cmd = RegisterUser(
        email=body.email,
        password=body.password,
        name=body.name,
        role=Role(body.role),
        vendor_name=body.vendor_name,
    )
    result = await register(
        cmd,
        uow=runtime.uow(),
        passwords=passwords,
        tokens=tokens,
        commission_rate=runtime.settings.commission_rate,
    )
    return RegisteredOut(
        **TokensOut.of(result.tokens).model_dump(), user=UserOut.model_validate(result.user)
    )


@router.post(
    "/login", summary="Log in with email and password", dependencies=[Depends(limit_login_attempts)]
)
async def login_route(
    *,
    body: LoginBody,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    tokens: Tokens,
    passwords: PasswordHashing,
) -> TokensOut:
    cmd = LogIn(email=body.email, password=body.password)
    hooks: list[LoginHook] = runtime.services.get(LOGIN_HOOKS, [])
    pair = await log_in(
        cmd,
        uow=runtime.uow(),
        passwords=passwords,
        tokens=tokens,
        after=[_with_request(hook, request) for hook in hooks],
    )
    _set_access_cookie(request, response, pair)
    return TokensOut.of(pair)


@router.post("/refresh", summary="Trade a refresh token for a new pair")
async def refresh_route(
    body: RefreshBody, request: Request, response: Response, runtime: RuntimeDep, tokens: Tokens
) -> TokensOut:
    pair = await refresh(RefreshSession(body.refresh_token), uow=runtime.uow(), tokens=tokens)
    _set_access_cookie(request, response, pair)
    return TokensOut.of(pair)


@router.post("/logout", status_code=204, summary="End a session and clear the cookie")
async def logout_route(
    request: Request, runtime: RuntimeDep, body: LogoutBody | None = None
) -> Response:
    await log_out(LogOut(body.refresh_token if body else None), uow=runtime.uow())
    response = Response(status_code=204)
    response.delete_cookie(
        ACCESS_COOKIE, path="/", httponly=True, secure=request.url.scheme == "https", samesite="lax"
    )
    return response


@router.get("/me", summary="The signed-in user")
async def me_route(principal: CurrentPrincipal, runtime: RuntimeDep) -> UserOut:
    async with runtime.db.read() as session:
        user = await get_user(session, principal.user_id)
    if user is None:
        raise AuthenticationFailed("The account no longer exists")
    return UserOut.model_validate(user)


@router.post("/api-keys", status_code=201, summary="Create an API key (shown once)")
async def create_api_key_route(
    body: ApiKeyCreate, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ApiKeyCreatedOut:
    created = await create_api_key(
        CreateApiKey(name=body.name), principal=principal, uow=runtime.uow()
    )
    return ApiKeyCreatedOut(
        **ApiKeyOut.model_validate(created.api_key).model_dump(), key=created.key
    )


@router.get("/api-keys", summary="The caller's active API keys")
async def list_api_keys_route(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    limit: LimitParam = 20,
    cursor: CursorParam = None,
) -> ApiKeyPage:
    after = decode_cursor(cursor, size=1)
    async with runtime.db.read() as session:
        keys = await list_api_keys(
            session,
            principal.user_id,
            limit=limit + 1,
            after=parse_id(after[0]) if after else None,
        )
    more = len(keys) > limit
    items = [ApiKeyOut.model_validate(key) for key in keys[:limit]]
    return ApiKeyPage(items=items, next_cursor=encode_cursor([str(items[-1].id)]) if more else None)


@router.delete("/api-keys/{api_key_id}", status_code=204, summary="Revoke an API key")
async def revoke_api_key_route(
    api_key_id: str, principal: CurrentPrincipal, runtime: RuntimeDep
) -> Response:
    key_id = parse_id(api_key_id)
    if key_id is None:
        raise ApiKeyNotFound()
    await revoke_api_key(RevokeApiKey(key_id), principal=principal, uow=runtime.uow())
    return Response(status_code=204)
