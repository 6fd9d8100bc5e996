"""Text analysis shared by both engines: the one definition of a word and of a match.

Both engines index the tokens made here and expand queries with the plan made here, so
they cannot disagree on what a word is, how long it is or how many typos it may carry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emporium.contexts.search.port import SearchDocument

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 10
MAX_TOKEN_CHARS = 40
# The shortest indexed word a typo can reach: a 5-letter query word less one letter.
MIN_FUZZY_TERM_CHARS = 4

# Letters NFKD leaves whole but shoppers type without their stroke or ligature.
_FOLD = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "\u0131": "i"}
)
_LETTERS = r"[^\W_]+"
# A hyphen or apostrophe between letters makes a compound ("spider-man", "king's"), and so
# does a point or comma between digits ("9.8"), so a grade is found typed either way.
_JOINER = r"(?:[-\u2010\u2011\u2012\u2013\u2014'\u2018\u2019\u02bc]|(?<=\d)[.,](?=\d))"
_COMPOUND = re.compile(f"{_LETTERS}(?:{_JOINER}{_LETTERS})*")
_PART = re.compile(_LETTERS)


def fold(text: str) -> str:
    """Lower-case and strip accents: "POKÉMON" and "Pokemon" both become "pokemon"."""
    if text.isascii():  # nothing to decompose or translate: most text, and 20x faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD)


def _compounds(text: str) -> list[list[str]]:
    """Each word of text as its parts: "Spider-Man #300" → [["spider", "man"], ["300"]]."""
    return [
        [part[:MAX_TOKEN_CHARS] for part in _PART.findall(match)]
        for match in _COMPOUND.findall(fold(text))
    ]


def _joined(parts: list[str]) -> str:
    return "".join(parts)[:MAX_TOKEN_CHARS]


def index_tokens(text: str) -> list[str]:
    """The words a text is found by; a compound gives its parts and the joined word."""
    return list(_index_tokens(text))


# Vendor, category and attribute texts recur in thousands of documents (a reindex analyses
# each once); a bounded cache keeps unique descriptions from crowding them out for long.
@lru_cache(maxsize=8192)
def _index_tokens(text: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for match in _COMPOUND.findall(fold(text)):
        # A word without a joiner is its only part (isalnum is what _PART matches): most
        # words are, and skip the second regex.
        if match.isalnum():
            tokens.append(match[:MAX_TOKEN_CHARS])
            continue
        parts = [part[:MAX_TOKEN_CHARS] for part in _PART.findall(match)]
        tokens.extend(parts)
        tokens.append(_joined(parts))
    return tuple(tokens)


@dataclass(frozen=True)
class DocumentTokens:
    """A document's words by weight: title above names and attributes above description."""

    title: list[str]
    names: list[str]  # attribute values, vendor name, category names
    description: list[str]


def document_tokens(doc: SearchDocument) -> DocumentTokens:
    """The words each field of a document is found by."""
    names = [*doc.attributes.values(), doc.vendor_name, *doc.category_names]
    return DocumentTokens(
        title=index_tokens(doc.title),
        names=list(chain.from_iterable(map(_index_tokens, names))),
        description=index_tokens(doc.description),
    )


def typo_budget(word: str) -> int:
    """Typos a query word may carry: none below 5 letters, 1 up to 8, 2 from 9 on.

    Words with a digit (issue numbers, years, certificates) must be typed exactly, since one
    wrong digit names another item.
    """
    if any(ch.isdigit() for ch in word):
        return 0
    if len(word) >= 9:
        return 2
    return 1 if len(word) >= 5 else 0


@dataclass(frozen=True)
class Term:
    """One word to look up: exactly, within `distance` typos, and as a prefix if `prefix`."""

    text: str
    distance: int
    prefix: bool


@dataclass(frozen=True)
class Clause:
    """One query word; a compound also matches when all its parts match."""

    word: Term
    parts: tuple[Term, ...] = ()


@dataclass(frozen=True)
class QueryPlan:
    """The words every hit must match (AND); none means browse the filtered set."""

    clauses: tuple[Clause, ...]

    @property
    def is_browse(self) -> bool:
        return not self.clauses

    def terms(self) -> list[Term]:
        """Every term of every clause, compound parts included."""
        return [term for clause in self.clauses for term in (clause.word, *clause.parts)]


def _term(text: str, *, prefix: bool) -> Term:
    return Term(text=text, distance=typo_budget(text), prefix=prefix)


def parse_query(text: str) -> QueryPlan:
    """Turn any user text into a plan; never fails, operators and quotes are plain words.

    Only the first MAX_QUERY_CHARS characters and MAX_QUERY_WORDS words count.
    """
    compounds = _compounds(text[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
    clauses: list[Clause] = []
    for index, parts in enumerate(compounds):
        last = index == len(compounds) - 1
        if len(parts) == 1:
            clauses.append(Clause(word=_term(parts[0], prefix=last)))
            continue
        terms = tuple(
            _term(part, prefix=last and i == len(parts) - 1) for i, part in enumerate(parts)
        )
        clauses.append(Clause(word=_term(_joined(parts), prefix=last), parts=terms))
    return QueryPlan(clauses=tuple(clauses))


def typo_distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions counted once (optimal string alignment).

    The same measure as tantivy's fuzzy term query; returns limit + 1 once it is exceeded.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[len(b)], limit + 1)
