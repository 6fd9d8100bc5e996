"""The embedded engine's index on disk: its schema, its documents and its one writer.

The engine and a rebuild's child process (embedded_build) share this module, so it imports
only what building documents takes: no logging, no database, no event loop.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

import tantivy
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_delay,
    wait_random_exponential,
)

from emporium.contexts.search.analysis import document_tokens
from emporium.contexts.search.errors import SearchIndexBusy
from emporium.contexts.search.port import SearchDocument
from emporium.kernel.clock import utc

# Bump when the schema changes: the index then starts empty in a new directory (reindex).
SCHEMA_VERSION = 1
TEXT_FIELDS = (("title", 3.0), ("names", 1.5), ("description", 1.0))
WRITER_HEAP_BYTES = 64_000_000


def build_schema() -> tantivy.Schema:
    """Analysed text fields, raw filter fields and one stored blob with what a hit shows."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("product_id", tokenizer_name="raw", index_option="basic")
    for name, _boost in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("category_slugs", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("category_slug", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field("vendor_id", tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field("price_min", indexed=True, fast=True)
    builder.add_integer_field("price_max", indexed=True, fast=True)
    builder.add_boolean_field("in_stock", indexed=True)
    builder.add_integer_field("created_us", fast=True)
    builder.add_bytes_field("hit", stored=True)
    return builder.build()


# A rebuild sends its child process documents as plain tuples of these, in this order:
# cheaper to pickle and unpickle than the dataclass.
FIELDS = tuple(field.name for field in fields(SearchDocument))
row_values = attrgetter(*FIELDS)


def index_document(doc: SearchDocument) -> tantivy.Document:
    """What the index holds of a document: its analysed words, filters and stored hit."""
    tokens = document_tokens(doc)
    out = tantivy.Document()
    out.add_text("product_id", doc.product_id)
    out.add_text("title", " ".join(tokens.title))
    out.add_text("names", " ".join(tokens.names))
    out.add_text("description", " ".join(tokens.description))
    for slug in doc.category_slugs:
        out.add_text("category_slugs", slug)
    if doc.category_slug is not None:
        out.add_text("category_slug", doc.category_slug)
    out.add_text("vendor_id", doc.vendor_id)
    out.add_integer("price_min", doc.price_min)
    out.add_integer("price_max", doc.price_max)
    out.add_boolean("in_stock", doc.in_stock)
    out.add_integer("created_us", int(utc(doc.created_at).timestamp() * 1_000_000))
    hit = {
        "product_id": doc.product_id,
        "slug": doc.slug,
        "title": doc.title,
        "price_min": doc.price_min,
        "price_max": doc.price_max,
        "currency": doc.currency,
        "vendor_id": doc.vendor_id,
        "vendor_name": doc.vendor_name,
        "category_slug": doc.category_slug,
        "image_url": doc.image_url,
    }
    out.add_bytes("hit", json.dumps(hit).encode())
    return out


def add_all(writer: tantivy.IndexWriter, docs: Iterable[SearchDocument], seen: set[str]) -> None:
    """Add docs to a rebuild that already added seen; a repeated id replaces the earlier."""
    for doc in docs:
        if doc.product_id in seen:
            writer.delete_documents_by_term("product_id", doc.product_id)
        seen.add(doc.product_id)
        writer.add_document(index_document(doc))


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise index creation between processes sharing the directory."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_index(path: Path) -> tantivy.Index:
    """The index in path, created empty if there is none yet."""
    path.mkdir(parents=True, exist_ok=True)
    with _file_lock(path.parent / f".{path.name}.lock"):
        return tantivy.Index(build_schema(), path=str(path), reuse=True)


def open_writer(index: tantivy.Index, *, timeout: float, threads: int) -> tantivy.IndexWriter:
    """The directory's one writer, waiting up to timeout seconds for another process's."""
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_random_exponential(multiplier=0.01, max=0.25),
        retry=retry_if_exception(_is_lock_busy),
    )
    try:
        writer: tantivy.IndexWriter = retrying(
            index.writer, heap_size=WRITER_HEAP_BYTES * threads, num_threads=threads
        )
    except RetryError as error:
        raise SearchIndexBusy() from error
    return writer


def _is_lock_busy(error: BaseException) -> bool:
    return isinstance(error, ValueError) and "LockBusy" in str(error)


def close_writer(writer: tantivy.IndexWriter, *, commit: bool) -> None:
    """Commit or roll back, then release the directory's writer lock."""
    try:
        if commit:
            writer.commit()
        else:
            writer.rollback()
    finally:
        # Lets pending merges end and releases the directory's writer lock.
        writer.wait_merging_threads()
