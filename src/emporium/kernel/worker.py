"""The background loop of a process: dispatches events and runs due jobs until stopped."""

from __future__ import annotations

from emporium.kernel.runtime import Runtime


class BackgroundWorker:
    """Runs the dispatcher and job runner as asyncio tasks (inline in serve, or alone)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
