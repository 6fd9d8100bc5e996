"""What only the embedded engine promises: processes that share one index directory."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from emporium.contexts.search import SearchQuery
from emporium.contexts.search.embedded import EmbeddedSearchEngine
from tests.search.corpus import CORPUS

ROOT = Path(__file__).resolve().parents[2]


async def test_processes_sharing_an_index_take_turns_to_write(tmp_path: Path) -> None:
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.search.index_writer", str(tmp_path), name, "15", cwd=ROOT
        )
        for name in ("alpha", "beta", "gamma")
    ]
    codes = await asyncio.gather(*(writer.wait() for writer in writers))
    assert codes == [0, 0, 0]
    assert await EmbeddedSearchEngine(tmp_path).count() == 45


async def test_a_second_engine_on_the_directory_reads_what_the_first_wrote(
    tmp_path: Path,
) -> None:
    await EmbeddedSearchEngine(tmp_path).upsert(CORPUS)
    reader = EmbeddedSearchEngine(tmp_path)
    assert (await reader.search(SearchQuery(text="catan"))).total == 1
