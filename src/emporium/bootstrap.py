"""Composition root: builds the runtime (engine, clock, adapters) and wires every context."""

from __future__ import annotations

import uuid
from functools import partial

from emporium.contexts import (
    cart,
    checkout,
    identity,
    inventory,
    orders,
    payments,
    pricing,
    search,
    shipping,
    wallet,
)
from emporium.contexts.catalog import subscribers as catalog_subscribers
from emporium.contexts.catalog.media import build_media_storage
from emporium.kernel import jobs, saga
from emporium.kernel.cache import RedisCache, build_cache
from emporium.kernel.clock import Clock, SystemClock
from emporium.kernel.db import Database
from emporium.kernel.http import idempotency
from emporium.kernel.metrics import Metrics
from emporium.kernel.ratelimit import build_rate_limiter
from emporium.kernel.recurrence import DailyAt
from emporium.kernel.runtime import Runtime
from emporium.settings import Settings


def build_runtime(settings: Settings | None = None, *, clock: Clock | None = None) -> Runtime:
    """Everything a process needs, built once; the only place adapters are constructed."""
    settings = settings or Settings()
    db = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
        echo=settings.sql_echo,
    )
    runtime = Runtime(settings=settings, db=db, clock=clock or SystemClock(), metrics=Metrics())
    _wire_contexts(runtime)
    return runtime


def _wire_contexts(runtime: Runtime) -> None:
    """Build each context's adapters and register its subscribers and jobs."""
    settings = runtime.settings
    saga.wire(runtime)
    runtime.on_close(partial(saga.close, runtime))
    runtime.jobs.add(idempotency.PURGE_JOB, idempotency.purge_job)
    jobs.register_recurring(runtime, kind=idempotency.PURGE_JOB, every=DailyAt(3, 30))
    login_limiter = build_rate_limiter(
        settings.login_rate_limit,
        namespace="login",
        clock=runtime.clock,
        redis_url=settings.redis_url,
    )
    runtime.on_close(login_limiter.aclose)
    identity.wire(runtime, login_limiter=login_limiter)
    inventory.wire(runtime)
    cart.wire(runtime)
    runtime.services.setdefault(identity.LOGIN_HOOKS, []).append(
        cart.login_hook(settings.reservation_ttl_seconds)
    )
    cache = build_cache(settings.redis_url)
    runtime.provide("cache", cache)
    runtime.provide(pricing.VAT_CACHE, pricing.VatRateCache())
    if isinstance(cache, RedisCache):
        runtime.on_close(cache.close)
    runtime.provide(
        "media",
        build_media_storage(
            media_dir=settings.media_dir,
            bucket=settings.media_s3_bucket,
            endpoint_url=settings.media_s3_endpoint_url,
            region=settings.media_s3_region,
            public_base_url=settings.media_public_base_url,
        ),
    )
    runtime.subscribers.add(catalog_subscribers.cache_invalidator(cache))
    engine = search.build_engine(settings, runtime.db)
    runtime.provide(search.SEARCH, engine)
    runtime.subscribers.add(search.indexer(engine))

    async def match(text: str) -> list[uuid.UUID]:
        return await search.matching_product_ids(runtime, text)

    runtime.provide("product_text_matcher", match)
    payments.wire(runtime)
    shipping.wire(runtime)
    wallet.wire(runtime)
    orders.wire(runtime)
    checkout.wire(runtime)
