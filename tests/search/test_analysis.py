"""The one definition of a word and of a match, shared by both engines (no database)."""

from __future__ import annotations

import pytest

from emporium.contexts.search.analysis import (
    MAX_QUERY_WORDS,
    MAX_TOKEN_CHARS,
    fold,
    index_tokens,
    parse_query,
    typo_budget,
    typo_distance,
)


def test_folds_case_and_accents() -> None:
    assert fold("POKÉMON Astérix Straße Øresund") == "pokemon asterix strasse oresund"


def test_splits_on_anything_that_is_not_a_letter_or_digit() -> None:
    assert index_tokens("Batman: The Killing Joke (1988) — #1!") == [
        "batman",
        "the",
        "killing",
        "joke",
        "1988",
        "1",
    ]


def test_indexes_a_hyphenated_word_as_its_parts_and_joined() -> None:
    assert index_tokens("Spider-Man") == ["spider", "man", "spiderman"]


def test_indexes_an_apostrophe_word_as_its_parts_and_joined() -> None:
    assert index_tokens("The King\u2019s Dilemma") == ["the", "king", "s", "kings", "dilemma"]


def test_indexes_a_grade_as_its_digits_and_joined() -> None:
    assert index_tokens("CGC 9.8") == ["cgc", "9", "8", "98"]


def test_cuts_overlong_words() -> None:
    assert index_tokens("x" * 500) == ["x" * MAX_TOKEN_CHARS]


@pytest.mark.parametrize(
    ("word", "budget"),
    [("joke", 0), ("saga", 0), ("catan", 1), ("watchmen", 1), ("wolverine", 2), ("1988", 0)],
)
def test_allows_typos_by_the_query_word_length(word: str, budget: int) -> None:
    assert typo_budget(word) == budget


def test_allows_no_typo_in_a_long_number() -> None:
    assert typo_budget("4321987001") == 0


def test_makes_only_the_last_word_a_prefix() -> None:
    plan = parse_query("batm joke")
    assert [(c.word.text, c.word.prefix) for c in plan.clauses] == [
        ("batm", False),
        ("joke", True),
    ]


def test_plans_a_compound_as_the_joined_word_or_all_its_parts() -> None:
    (clause,) = parse_query("spider-man").clauses
    assert clause.word.text == "spiderman"
    assert [part.text for part in clause.parts] == ["spider", "man"]
    assert [part.prefix for part in clause.parts] == [False, True]


def test_treats_operators_and_quotes_as_plain_words() -> None:
    plan = parse_query('"spider" AND -man OR NOT *?~^: \'; DROP TABLE x;--')
    assert [c.word.text for c in plan.clauses] == [
        "spider",
        "and",
        "man",
        "or",
        "not",
        "drop",
        "table",
        "x",
    ]


def test_keeps_only_the_first_words_of_a_long_query() -> None:
    assert len(parse_query("word " * 5000).clauses) == MAX_QUERY_WORDS


def test_plans_nothing_for_punctuation_and_emoji() -> None:
    assert parse_query("?!… 🦸‍♂️ ***").is_browse


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("watchmne", "watchmen", 1),
        ("spidreman", "spiderman", 1),
        ("amazng", "amazing", 1),
        ("wolvirene", "wolverine", 2),
        ("wetchmon", "watchmen", 2),
        ("catan", "catan", 0),
    ],
)
def test_counts_a_transposition_as_one_typo(a: str, b: str, distance: int) -> None:
    assert typo_distance(a, b, 2) == distance


def test_stops_counting_past_the_limit() -> None:
    assert typo_distance("batman", "superman", 2) == 3
