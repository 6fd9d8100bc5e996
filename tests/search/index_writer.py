"""A separate process writing to a shared embedded index.

`python -m tests.search.index_writer DIR NAME N` upserts N documents, one commit each.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from emporium.contexts.search.embedded import EmbeddedSearchEngine
from tests.search.corpus import CORPUS


async def write(index_dir: Path, name: str, count: int) -> None:
    engine = EmbeddedSearchEngine(index_dir, lock_timeout_seconds=60)
    for n in range(count):
        template = CORPUS[n % len(CORPUS)]
        await engine.upsert([replace(template, product_id=f"{name}-{n}", slug=f"{name}-{n}")])


if __name__ == "__main__":
    asyncio.run(write(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])))
