"""FastAPI dependency aliases shared by every context's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from emporium.kernel.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """The app's runtime; async, so FastAPI calls it inline instead of in a worker thread."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
