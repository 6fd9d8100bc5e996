"""Odd text never breaks a search and never returns more than asked, on both engines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emporium.contexts.search import SearchEngine, SearchQuery

ODD_TEXTS = [
    '"spider man"',
    "spider AND man OR NOT batman",
    "'; DROP TABLE search_document; --",
    "*?~^:!&|()<>[]{}\\/",
    "batman:* & !joker",
    "🦸‍♂️🦇 batman 🃏",
    "x" * 10_000,
    "spider " * 2_000,
    "?!…—",
    "",
    "   ",
    "\x00\x01\x1f",
    "ÆØÅ ß \u0131 İ ﬁ ①",
    "日本語のコミック",
    "٣٠٠ عربي",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
async def test_answers_odd_text_without_error(indexed: SearchEngine, text: str) -> None:
    result = await indexed.search(SearchQuery(text=text, limit=3))
    assert len(result.hits) <= 3
    assert result.total >= len(result.hits)


async def test_treats_operators_as_words_that_must_match(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="batman OR catan"))
    assert result.total == 0


async def test_finds_words_among_emoji(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="🦇 batman 🦇"))
    assert result.total == 3


QUERY_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("abcdefghijklmnopqrstuvwxyz éüßø-'\u2019.:*?~^\"()&|!<>0123456789"),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=QUERY_TEXT, limit=st.integers(min_value=1, max_value=100))
async def test_never_raises_nor_exceeds_the_limit(
    indexed: SearchEngine, text: str, limit: int
) -> None:
    result = await indexed.search(SearchQuery(text=text, limit=limit))
    assert len(result.hits) <= limit
    assert result.total >= len(result.hits)
