"""API keys for integrations: created (shown once), listed, revoked. Only a hash is kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from emporium.contexts.identity.authenticator import API_KEY_PREFIX
from emporium.contexts.identity.errors import ApiKeyNotFound
from emporium.contexts.identity.events import ApiKeyCreated, ApiKeyRevoked
from emporium.contexts.identity.models import ApiKey
from emporium.contexts.identity.queries import ApiKeyRead
from emporium.contexts.identity.tokens import hash_secret, new_secret
from emporium.kernel.errors import Forbidden
from emporium.kernel.http.auth import Principal
from emporium.kernel.ids import new_id
from emporium.kernel.uow import UnitOfWork

# Enough of the key to recognise it in a list, far too little to guess the rest.
_SHOWN_CHARS = len(API_KEY_PREFIX) + 8


@dataclass(frozen=True)
class CreateApiKey:
    name: str


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKeyRead
    key: str


@dataclass(frozen=True)
class RevokeApiKey:
    api_key_id: uuid.UUID


def _by_person(principal: Principal) -> None:
    # A leaked key must not be able to mint or revoke keys and so outlive its own revocation.
    if principal.via_api_key:
        raise Forbidden("API keys are managed with an access token, not with an API key")


async def create_api_key(
    cmd: CreateApiKey, *, principal: Principal, uow: UnitOfWork
) -> CreatedApiKey:
    """A new key for the caller; the plaintext is returned now and never again."""
    _by_person(principal)
    key = new_secret(API_KEY_PREFIX)
    async with uow:
        row = ApiKey(
            id=new_id(),
            user_id=principal.user_id,
            name=cmd.name,
            prefix=key[:_SHOWN_CHARS],
            key_hash=hash_secret(key),
            created_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.record(
            ApiKeyCreated(
                user_id=principal.user_id, api_key_id=row.id, name=row.name, prefix=row.prefix
            )
        )
        await uow.commit()
        return CreatedApiKey(api_key=ApiKeyRead.of(row), key=key)


async def revoke_api_key(cmd: RevokeApiKey, *, principal: Principal, uow: UnitOfWork) -> None:
    """Revoke one of the caller's keys; 404 for keys of others or unknown ids."""
    _by_person(principal)
    async with uow:
        row = await uow.session.scalar(
            select(ApiKey).where(ApiKey.id == cmd.api_key_id, ApiKey.user_id == principal.user_id)
        )
        if row is None:
            raise ApiKeyNotFound()
        if row.revoked_at is not None:
            return
        row.revoked_at = uow.clock.now()
        uow.record(ApiKeyRevoked(user_id=principal.user_id, api_key_id=row.id))
        await uow.commit()
