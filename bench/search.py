"""Search benchmark: index build time, search latency and peak memory, per engine.

`python -m bench search [--products N] [--queries Q] [--database-url postgresql+asyncpg://…]`

Each phase runs in a fresh process, so "peak RSS" is that process's own: the build is what
`emporium search reindex` costs, the search phase what an API process serving searches holds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.search_corpus import CATEGORIES, documents
from emporium.contexts.search import SearchEngine, SearchQuery
from emporium.contexts.search.analysis import index_tokens
from emporium.contexts.search.embedded import EmbeddedSearchEngine
from emporium.contexts.search.postgres import PostgresSearchEngine
from emporium.kernel import migrate
from emporium.kernel.db import Database

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _slip(word: str, rng: random.Random) -> str:
    """word with one random typo: a swap, a dropped, an added or a changed letter."""
    at = rng.randrange(len(word) - 1)
    kind = rng.choice(["swap", "drop", "add", "change"])
    if kind == "swap":
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == "drop":
        return word[:at] + word[at + 1 :]
    if kind == "add":
        return word[:at] + rng.choice(LETTERS) + word[at:]
    return word[:at] + rng.choice(LETTERS) + word[at + 1 :]


def queries(count: int, *, seed: int = 1) -> list[SearchQuery]:
    """Shopper-like queries for products that exist: typos, half-typed words, filters."""
    rng = random.Random(seed)
    titles = [index_tokens(doc.title) for doc in documents(2_000)]
    out: list[SearchQuery] = []
    for _ in range(count):
        words = [w for w in rng.choice(titles) if not w.isdigit()] or ["batman"]
        picked = rng.sample(words, k=min(len(words), rng.choice([1, 1, 2, 2, 3])))
        typed = [_slip(w, rng) if len(w) >= 5 and rng.random() < 0.5 else w for w in picked]
        if rng.random() < 0.4:  # still typing the last word
            typed[-1] = typed[-1][: rng.randint(min(3, len(typed[-1])), len(typed[-1]))]
        filters: dict[str, Any] = {}
        if rng.random() < 0.2:
            filters["category"] = rng.choice([*CATEGORIES, "comics", "games", "apparel"])
        if rng.random() < 0.1:
            filters["max_price"] = rng.choice([2_000, 10_000, 100_000])
        out.append(SearchQuery(text=" ".join(typed), limit=20, **filters))
    return out


def _engine(kind: str, target: str) -> tuple[SearchEngine, Database | None]:
    if kind == "embedded":
        return EmbeddedSearchEngine(Path(target)), None
    db = Database(target)
    return PostgresSearchEngine(db), db


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _build(kind: str, target: str, products: int) -> dict[str, float]:
    engine, db = _engine(kind, target)
    started = time.perf_counter()
    indexed = await engine.rebuild(documents(products))
    seconds = time.perf_counter() - started
    if db is not None:
        await db.dispose()
    return {"indexed": indexed, "build_s": seconds, "build_rss_mb": _peak_rss_mb()}


async def _search(kind: str, target: str, count: int) -> dict[str, float]:
    engine, db = _engine(kind, target)
    batch = queries(count)
    for query in batch[:20]:  # open the index, warm the caches
        await engine.search(query)
    latencies, totals = [], []
    for query in batch:
        started = time.perf_counter()
        result = await engine.search(query)
        latencies.append((time.perf_counter() - started) * 1000)
        totals.append(result.total)
    if db is not None:
        await db.dispose()
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "p50_ms": cuts[49],
        "p95_ms": cuts[94],
        "p99_ms": cuts[98],
        "max_ms": max(latencies),
        "zero_hit_share": sum(1 for t in totals if t == 0) / len(totals),
        "search_rss_mb": _peak_rss_mb(),
    }


def _phase(name: str, *args: Any) -> dict[str, float]:
    fn = {"build": _build, "search": _search}[name]
    result: dict[str, float] = asyncio.run(fn(*args))
    return result


def _in_fresh_process(name: str, *args: Any) -> dict[str, float]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_phase, name, *args).result()


def run_engine(kind: str, target: str, products: int, count: int) -> dict[str, float]:
    """Build the index in one process, then search it from another."""
    figures = _in_fresh_process("build", kind, target, products)
    figures.update(_in_fresh_process("search", kind, target, count))
    return figures


def report(products: int, count: int, rows: dict[str, dict[str, float]]) -> str:
    """The figures as a markdown table."""
    lines = [
        f"Search, {products:,} products, {count:,} queries (typos, prefixes, filters), limit 20",
        "",
        "| engine | build s | build peak RSS MB | p50 ms | p95 ms | p99 ms | max ms "
        "| search peak RSS MB | zero-hit queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, f in rows.items():
        lines.append(
            f"| {kind} | {f['build_s']:.1f} | {f['build_rss_mb']:.0f} | {f['p50_ms']:.2f} "
            f"| {f['p95_ms']:.2f} | {f['p99_ms']:.2f} | {f['max_ms']:.1f} "
            f"| {f['search_rss_mb']:.0f} | {f['zero_hit_share']:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the search benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m bench search", description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--database-url", help="also benchmark the PostgreSQL engine here")
    parser.add_argument("--index-dir", type=Path, help="embedded index (default: a temp dir)")
    args = parser.parse_args(argv)
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="emporium-bench-") as scratch:
        index_dir = args.index_dir or Path(scratch)
        rows["embedded (tantivy)"] = run_engine(
            "embedded", str(index_dir), args.products, args.queries
        )
    if args.database_url:
        migrate.upgrade(args.database_url)
        rows["postgres"] = run_engine("postgres", args.database_url, args.products, args.queries)
    print(report(args.products, args.queries, rows))
    return 0
