"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from sqlalchemy import text
from starlette.responses import JSONResponse, Response

from emporium.kernel import migrate
from emporium.kernel.http.deps import RuntimeDep
from emporium.kernel.http.envelope import error_response
from emporium.kernel.runtime import Runtime

router = APIRouter(tags=["operations"])

MetricsRefresher = Callable[[Runtime], Awaitable[None]]
METRICS_REFRESHERS = "metrics_refreshers"


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and its schema current")
async def readyz(runtime: RuntimeDep) -> Response:
    try:
        async with runtime.db.read() as session:
            await session.execute(text("SELECT 1"))
        current = await migrate.is_current(runtime.db.engine)
    except Exception:  # any failure to reach the database means not ready
        return error_response(
            503, "SERVICE_UNAVAILABLE", "The database is unreachable", timestamp=runtime.clock.now()
        )
    if not current:
        return error_response(
            503,
            "SERVICE_UNAVAILABLE",
            "Database migrations are not current",
            details={"hint": "run `emporium db upgrade`"},
            timestamp=runtime.clock.now(),
        )
    return JSONResponse({"status": "ready", "database": "ok", "migrations": "current"})


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=True)
async def metrics(runtime: RuntimeDep) -> Response:
    for refresh in runtime.services.get(METRICS_REFRESHERS, []):
        await refresh(runtime)
    return Response(runtime.metrics.render(), media_type="text/plain; version=0.0.4")
