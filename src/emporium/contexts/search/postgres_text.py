"""How documents and queries become PostgreSQL text-search values.

Everything here is built from analysis.py's tokens, which are letters and digits only, so
quoting them as tsvector and tsquery lexemes needs no escaping.
"""

from __future__ import annotations

from typing import Any

from emporium.contexts.search.analysis import (
    MIN_FUZZY_TERM_CHARS,
    DocumentTokens,
    QueryPlan,
    Term,
    document_tokens,
)
from emporium.contexts.search.port import SearchDocument

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_WORD = 256


def tsvector_text(tokens: DocumentTokens) -> str:
    """The tsvector literal of a document: each word with its positions and weights."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, words in (("A", tokens.title), ("B", tokens.names), ("C", tokens.description)):
        for word in words:
            position = min(position + 1, MAX_POSITION)
            slots = positions.setdefault(word, [])
            if len(slots) < MAX_POSITIONS_PER_WORD:
                slots.append(f"{position}{weight}")
    return " ".join(f"'{word}':{','.join(slots)}" for word, slots in positions.items())


def document_row(doc: SearchDocument) -> tuple[dict[str, Any], set[str]]:
    """The search_document row of a document, and its words for the typo vocabulary."""
    tokens = document_tokens(doc)
    row = {
        "product_id": doc.product_id,
        "slug": doc.slug,
        "title": doc.title,
        "vendor_id": doc.vendor_id,
        "vendor_name": doc.vendor_name,
        "category_slug": doc.category_slug,
        "category_slugs": list(doc.category_slugs),
        "price_min": doc.price_min,
        "price_max": doc.price_max,
        "currency": doc.currency,
        "in_stock": doc.in_stock,
        "rating": doc.rating,
        "created_at": doc.created_at,
        "image_url": doc.image_url,
        "document": tsvector_text(tokens),
    }
    words = {*tokens.title, *tokens.names, *tokens.description}
    return row, {word for word in words if len(word) >= MIN_FUZZY_TERM_CHARS}


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def trigram_threshold(word: str, distance: int) -> float | None:
    """A pg_trgm similarity every word within distance typos of word is sure to reach.

    One edit destroys at most 4 of word's trigrams (a transposition; 3 otherwise) and a
    candidate is at most len(word) + distance long, which bounds the similarity from
    below. None when no useful bound exists (or pg_trgm would not see the word as we do).
    """
    if not word.isascii():
        return None
    grams = _trigrams(word)
    shared = len(grams) - 4 * distance
    if shared <= 0:
        return None
    return shared / (len(word) + 1 + 5 * distance) - 0.001


def _lexeme(word: str) -> str:
    return f"'{word}'"


def _term_text(term: Term, expansions: dict[Term, list[str]], *, exact: bool) -> str:
    options = [_lexeme(term.text)]
    if not exact:
        options.extend(_lexeme(candidate) for candidate in expansions.get(term, []))
        if term.prefix:
            options.append(f"{_lexeme(term.text)}:*")
    return "(" + " | ".join(options) + ")"


def tsquery_text(plan: QueryPlan, expansions: dict[Term, list[str]], *, exact: bool = False) -> str:
    """The tsquery of a plan: AND over its words, OR over each word's spellings.

    `exact` leaves out typo candidates and prefix completions.
    """
    clauses: list[str] = []
    for clause in plan.clauses:
        word = _term_text(clause.word, expansions, exact=exact)
        if clause.parts:
            parts = " & ".join(_term_text(p, expansions, exact=exact) for p in clause.parts)
            word = f"({word} | ({parts}))"
        clauses.append(word)
    return " & ".join(clauses)
