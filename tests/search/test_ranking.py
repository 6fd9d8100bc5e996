"""The order of hits, the limit and paging by offset, on both engines."""

from __future__ import annotations

import pytest

from emporium.contexts.search import InvalidSearchQuery, SearchEngine, SearchQuery
from tests.search.conftest import found
from tests.search.corpus import CORPUS, document


async def test_ranks_a_title_match_above_a_description_match(indexed: SearchEngine) -> None:
    hits = await found(indexed, "batman")
    assert hits.index("killing-joke") < hits.index("dark-knight-returns")
    assert hits.index("batman-logo-tee") < hits.index("dark-knight-returns")


async def test_ranks_title_matches_above_description_mentions(indexed: SearchEngine) -> None:
    hits = await found(indexed, "venom")
    assert hits[0] == "venom-lethal-protector-1"
    assert "amazing-spider-man-300" in hits[1:]


async def test_ranks_an_exact_word_above_a_typo_match(indexed: SearchEngine) -> None:
    await indexed.upsert([document("night-watchman-lantern", "Night Watchman Lantern")])
    hits = await found(indexed, "watchmen")
    assert hits[-1] == "night-watchman-lantern"
    assert set(hits[:-1]) == {"watchmen", "watchmen-smiley-tee"}


async def test_browses_newest_first_when_the_text_is_empty(indexed: SearchEngine) -> None:
    newest_first = [doc.slug for doc in sorted(CORPUS, key=lambda d: d.created_at, reverse=True)]
    assert await found(indexed, "") == newest_first


async def test_never_returns_more_hits_than_the_limit(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="", limit=5))
    assert len(result.hits) == 5
    assert result.total == len(CORPUS)


async def test_counts_every_match_beyond_the_page(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="marvel", limit=2))
    assert len(result.hits) == 2
    assert result.total == 5


async def test_pages_through_every_match_once(indexed: SearchEngine) -> None:
    pages = [
        await indexed.search(SearchQuery(text="comics", limit=4, offset=offset))
        for offset in range(0, 20, 4)
    ]
    slugs = [hit.slug for page in pages for hit in page.hits]
    assert len(slugs) == len(set(slugs)) == pages[0].total


async def test_returns_an_empty_page_past_the_end(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="catan", offset=50))
    assert result.hits == []
    assert result.total == 1


async def test_shows_what_a_result_list_needs(indexed: SearchEngine) -> None:
    (hit,) = (await indexed.search(SearchQuery(text="catan"))).hits
    assert (hit.product_id, hit.slug, hit.title) == ("prod-catan", "catan", "Catan")
    assert (hit.price_min, hit.price_max, hit.currency) == (3999, 3999, "EUR")
    assert (hit.vendor_name, hit.category_slug) == ("Meeple Market", "board-games")
    assert hit.image_url == "/media/catan.jpg"
    assert hit.score > 0


@pytest.mark.parametrize(
    "bad",
    [
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
        {"offset": 10_001},
        {"min_price": -1},
        {"max_price": 10**30},
        {"min_price": 500, "max_price": 100},
    ],
)
def test_refuses_out_of_range_parameters_with_a_validation_error(bad: dict[str, int]) -> None:
    with pytest.raises(InvalidSearchQuery) as raised:
        SearchQuery(text="batman", **bad)
    assert raised.value.code == "VALIDATION_ERROR"
    assert raised.value.status == 422
    assert {f["field"] for f in raised.value.details["fields"]} <= set(bad)
