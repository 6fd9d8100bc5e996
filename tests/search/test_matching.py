"""Which products a query finds: typos, prefixes, accents, compounds and AND, on both engines."""

from __future__ import annotations

import pytest

from emporium.contexts.search import SearchEngine
from tests.search.conftest import found

SPIDER_MAN_TITLES = {"amazing-spider-man-300", "spider-man-logo-tee"}
SPIDER_MAN_ANYWHERE = SPIDER_MAN_TITLES | {"amazing-fantasy-15", "venom-lethal-protector-1"}


async def test_finds_spider_man_with_two_typos_in_a_nine_letter_word(
    indexed: SearchEngine,
) -> None:
    assert set(await found(indexed, "spidreman")) == SPIDER_MAN_ANYWHERE


async def test_finds_amazing_with_a_missing_letter(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "amazng")) == {"amazing-spider-man-300", "amazing-fantasy-15"}


async def test_finds_watchmen_with_swapped_letters(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "watchmne")) == {"watchmen", "watchmen-smiley-tee"}


async def test_finds_wolverine_with_two_typos(indexed: SearchEngine) -> None:
    assert await found(indexed, "wolvirene") == ["wolverine-1"]


async def test_refuses_two_typos_in_an_eight_letter_word(indexed: SearchEngine) -> None:
    assert await found(indexed, "wetchmon") == []


async def test_refuses_a_typo_in_a_four_letter_word(indexed: SearchEngine) -> None:
    assert await found(indexed, "sage") == []


async def test_finds_an_exact_four_letter_word(indexed: SearchEngine) -> None:
    assert await found(indexed, "saga") == ["saga-volume-one"]


async def test_completes_the_last_word_as_a_prefix(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "batm")) == {"killing-joke", "batman-logo-tee"} | {
        "dark-knight-returns"
    }


async def test_completes_the_last_word_after_whole_words(indexed: SearchEngine) -> None:
    assert await found(indexed, "killing jo") == ["killing-joke"]


async def test_does_not_complete_a_word_that_is_not_last(indexed: SearchEngine) -> None:
    assert await found(indexed, "batm joke") == []


@pytest.mark.parametrize("text", ["pokemon", "POKÉMON", "Pokémon", "pokémon booster"])
async def test_ignores_accents_and_case(indexed: SearchEngine, text: str) -> None:
    assert await found(indexed, text) == ["pokemon-base-set-booster"]


async def test_finds_accented_titles_typed_without_accents(indexed: SearchEngine) -> None:
    assert await found(indexed, "asterix francais") == ["asterix-le-gaulois"]


@pytest.mark.parametrize(
    "text", ["spiderman", "spider man", "spider-man", "Spider-Man", "SPIDER\u2010MAN"]
)
async def test_finds_a_hyphenated_name_typed_together_or_apart(
    indexed: SearchEngine, text: str
) -> None:
    assert set(await found(indexed, text)) == SPIDER_MAN_ANYWHERE


@pytest.mark.parametrize("text", ["xmen", "x men", "x-men"])
async def test_finds_x_men_however_it_is_typed(indexed: SearchEngine, text: str) -> None:
    assert await found(indexed, text) == ["x-men-1"]


@pytest.mark.parametrize("text", ["kings dilemma", "king's dilemma", "king dilemma"])
async def test_finds_an_apostrophe_word_typed_together_or_apart(
    indexed: SearchEngine, text: str
) -> None:
    assert await found(indexed, text) == ["kings-dilemma"]


async def test_finds_a_grade_typed_with_its_point(indexed: SearchEngine) -> None:
    assert await found(indexed, "cgc 9.8") == ["amazing-spider-man-300"]


async def test_requires_every_word_to_match(indexed: SearchEngine) -> None:
    assert await found(indexed, "batman joker") == ["killing-joke"]


async def test_finds_nothing_when_one_word_matches_nothing(indexed: SearchEngine) -> None:
    assert await found(indexed, "batman catan") == []


async def test_lets_each_word_match_a_different_field(indexed: SearchEngine) -> None:
    # "marvel" is an attribute, "venom" a title word, "keyvault" the vendor's name.
    assert set(await found(indexed, "keyvault marvel venom")) == {
        "venom-lethal-protector-1",
        "amazing-spider-man-300",
    }


async def test_finds_products_by_category_name(indexed: SearchEngine) -> None:
    assert set(await found(indexed, "board games")) == {"catan", "ticket-to-ride", "kings-dilemma"}
