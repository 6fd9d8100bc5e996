"""create_app(): the FastAPI application with every context's router and the error envelope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.staticfiles import StaticFiles

from emporium import __version__
from emporium.bootstrap import build_runtime
from emporium.contexts import cart, checkout, identity, orders, payments, search, shipping, wallet
from emporium.contexts.catalog import api as catalog_api
from emporium.contexts.inventory import api as inventory_api
from emporium.contexts.pricing import api as pricing_api
from emporium.kernel import dispatcher
from emporium.kernel.clock import Clock
from emporium.kernel.http import admin, admin_sagas, ops
from emporium.kernel.http.errors import install_error_handlers
from emporium.kernel.http.idempotency import IdempotencyMiddleware
from emporium.kernel.http.middleware import RequestContextMiddleware
from emporium.kernel.logging import configure_logging
from emporium.kernel.runtime import Runtime
from emporium.kernel.worker import BackgroundWorker
from emporium.settings import Settings

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    runtime: Runtime | None = None,
) -> FastAPI:
    """The API application; pass a runtime to share one with tests or workers."""
    runtime = runtime or build_runtime(settings, clock=clock)
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = BackgroundWorker(runtime) if settings.dispatcher == "inline" else None
        if worker is not None:
            await worker.start()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await runtime.aclose()

    app = FastAPI(
        title="Emporium",
        version=__version__,
        summary="Event-driven multi-vendor commerce backend",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    # Inside RequestContextMiddleware (added later, so outermost): bodies are size-checked first.
    app.add_middleware(IdempotencyMiddleware, runtime=runtime)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Idempotent-Replayed", "Retry-After"],
        )
    app.add_middleware(
        RequestContextMiddleware,
        metrics=runtime.metrics,
        max_body_bytes=settings.max_body_bytes,
        now=runtime.clock.now,
    )
    app.include_router(ops.router)
    for router in (
        catalog_api.router,  # first: the storefront's reads are the busiest routes
        identity.router,
        inventory_api.router,
        cart.router,
        search.router,
        payments.router,
        shipping.router,
        wallet.router,
        orders.router,
        checkout.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(pricing_api.router, prefix=API_PREFIX)
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    app.mount("/media", StaticFiles(directory=settings.media_dir, check_dir=False), name="media")
    app.include_router(admin.router, prefix=API_PREFIX)
    app.include_router(admin_sagas.router, prefix=API_PREFIX)
    dispatcher.install_metrics(runtime)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `emporium serve --workers N`."""
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings)
