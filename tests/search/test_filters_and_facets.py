"""Filters narrow the matches; facets count all of them, on both engines."""

from __future__ import annotations

from emporium.contexts.search import SearchEngine, SearchQuery
from tests.search.conftest import found
from tests.search.corpus import CORPUS, KEYVAULT, MEEPLE, THREADS


async def test_filters_by_category_including_its_descendants(indexed: SearchEngine) -> None:
    comics = {doc.slug for doc in CORPUS if "comics" in doc.category_slugs}
    assert set(await found(indexed, "", category="comics")) == comics
    assert "amazing-spider-man-300" in comics  # a graded comic, one level down


async def test_filters_by_a_child_category_alone(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "marvel", category="graded-comics")) == {
        "amazing-spider-man-300",
        "amazing-fantasy-15",
        "x-men-1",
    }


async def test_finds_nothing_in_an_unknown_category(indexed: SearchEngine) -> None:
    assert await found(indexed, "batman", category="no-such-category") == []


async def test_filters_by_vendor(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "spider", vendor_id=THREADS)) == {"spider-man-logo-tee"}


async def test_leaves_out_excluded_vendors(indexed: SearchEngine) -> None:
    everything = set(await found(indexed, "spider"))
    without_threads = set(await found(indexed, "spider", exclude_vendor_ids=(THREADS,)))
    assert without_threads == everything - {"spider-man-logo-tee"}
    browse = set(await found(indexed, "", exclude_vendor_ids=(THREADS, KEYVAULT)))
    assert browse == {doc.slug for doc in CORPUS if doc.vendor_id not in (THREADS, KEYVAULT)}


async def test_keeps_products_whose_price_range_overlaps_the_filter(
    indexed: SearchEngine,
) -> None:
    assert set(await found(indexed, "", min_price=2000, max_price=2500)) == {
        "killing-joke",
        "spider-man-logo-tee",
        "watchmen-smiley-tee",
    }


async def test_filters_by_a_lower_price_bound_alone(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "marvel", min_price=100_000)) == {
        "amazing-spider-man-300",
        "amazing-fantasy-15",
    }


async def test_filters_by_an_upper_price_bound_alone(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "tee", max_price=1999)) == {
        "batman-logo-tee",
        "spider-man-logo-tee",
    }


async def test_filters_to_products_in_stock(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "watchmen", in_stock=True)) == {"watchmen"}


async def test_filters_to_products_out_of_stock(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "", in_stock=False)) == {
        "x-men-1",
        "pokemon-base-set-booster",
        "watchmen-smiley-tee",
    }


async def test_combines_filters_with_text(indexed: SearchEngine) -> None:
    hits = await found(indexed, "game", category="games", vendor_id=MEEPLE, max_price=5000)
    assert set(hits) == {"catan", "ticket-to-ride"}  # "game" also completes to "games"


async def test_counts_facets_over_every_match_not_only_the_page(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="", limit=1))
    assert len(result.hits) == 1
    assert result.facets.vendor == {KEYVAULT: 10, MEEPLE: 4, THREADS: 3}
    assert sum(result.facets.category.values()) == result.total == len(CORPUS)


async def test_counts_products_by_their_own_category(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="marvel"))
    assert result.facets.category == {"graded-comics": 3, "comics": 2}


async def test_reports_the_price_range_of_the_matches(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="t-shirt"))
    assert result.total == 3
    assert result.facets.to_dict() == {
        "category": {"t-shirts": 3},
        "vendor": {THREADS: 3},
        "price_range": {"min": 1999, "max": 2499},
    }


async def test_counts_facets_within_the_filters(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="", category="games"))
    assert result.facets.category == {"board-games": 3, "trading-cards": 1}
    assert result.facets.vendor == {MEEPLE: 4}


async def test_lists_the_most_frequent_facet_values_first(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text=""))
    assert list(result.facets.vendor) == [KEYVAULT, MEEPLE, THREADS]


async def test_reports_empty_facets_when_nothing_matches(indexed: SearchEngine) -> None:
    result = await indexed.search(SearchQuery(text="zzzzzz"))
    assert result.total == 0
    assert result.facets.to_dict() == {
        "category": {},
        "vendor": {},
        "price_range": {"min": None, "max": None},
    }
