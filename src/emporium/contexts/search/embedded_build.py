"""The child process of a large rebuild: analyse the batches a pipe brings, then commit.

embedded_rebuild starts it (spawned, never forked) and feeds it; this module imports only
what indexing takes (tantivy, the analysis, no event loop), so the child starts quickly.
The pipe ends with None, the end marker: commit. An end of file before it means the
parent's feed failed (or the parent died): roll back, the old index stays.
"""

from __future__ import annotations

import contextlib
import signal
import traceback
from itertools import starmap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emporium.contexts.search.embedded_index import add_all, close_writer, open_index, open_writer
from emporium.contexts.search.errors import SearchIndexBusy
from emporium.contexts.search.port import SearchDocument

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# tantivy's indexing threads, beside the child's own analysing thread.
BUILD_THREADS = 2


def build(rows: Connection, outcome: Connection, path: str, lock_timeout: float) -> None:
    """Index every batch of rows into the index in path; send how it ended to outcome.

    The message is ("committed", documents), ("busy", None), ("rolled back", None) or
    ("failed", traceback).
    """
    # ^C reaches the whole process group; the parent decides, and stops the child itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    message: tuple[str, Any]
    try:
        message = ("committed", _index(rows, Path(path), lock_timeout))
    except SearchIndexBusy:
        message = ("busy", None)
    except EOFError:
        message = ("rolled back", None)
    except BaseException:
        message = ("failed", traceback.format_exc())
    with contextlib.suppress(OSError):  # the parent may be gone already
        outcome.send(message)
    outcome.close()
    rows.close()


def _index(rows: Connection, path: Path, lock_timeout: float) -> int:
    writer = open_writer(open_index(path), timeout=lock_timeout, threads=BUILD_THREADS)
    seen: set[str] = set()
    try:
        writer.delete_all_documents()
        while (batch := rows.recv()) is not None:
            add_all(writer, starmap(SearchDocument, batch), seen)
    except BaseException:
        close_writer(writer, commit=False)
        raise
    close_writer(writer, commit=True)
    return len(seen)
