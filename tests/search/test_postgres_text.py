"""The PostgreSQL engine's text values and its typo-candidate bound (no database)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from emporium.contexts.search.analysis import (
    document_tokens,
    parse_query,
    typo_budget,
    typo_distance,
)
from emporium.contexts.search.postgres_text import trigram_threshold, tsquery_text, tsvector_text
from tests.search.corpus import BY_SLUG


def pg_trgm_similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two single lower-case words."""

    def grams(word: str) -> set[str]:
        padded = f"  {word} "
        return {padded[i : i + 3] for i in range(len(padded) - 2)}

    left, right = grams(a), grams(b)
    return len(left & right) / len(left | right)


@st.composite
def word_and_typo(draw: st.DrawFn) -> tuple[str, str]:
    word = draw(st.text(alphabet="abcdeghilmnorstu", min_size=5, max_size=14))
    typed = list(word)
    for _ in range(typo_budget(word)):
        at = draw(st.integers(0, len(typed) - 1))
        slip = draw(st.sampled_from(["swap", "drop", "add", "change"]))
        if slip == "swap" and at + 1 < len(typed):
            typed[at], typed[at + 1] = typed[at + 1], typed[at]
        elif slip == "drop" and len(typed) > 1:
            del typed[at]
        elif slip in {"add", "change"}:
            letter = draw(st.sampled_from("abcdeghilmnorstu"))
            typed[at : at + (slip == "change")] = [letter]
    return word, "".join(typed)


@given(word_and_typo())
def test_the_trigram_bound_never_loses_a_word_within_the_typo_budget(
    pair: tuple[str, str],
) -> None:
    indexed, typed = pair
    distance = typo_budget(typed)
    threshold = trigram_threshold(typed, distance)
    if threshold is not None and typo_distance(indexed, typed, distance) <= distance:
        assert pg_trgm_similarity(indexed, typed) >= threshold


def test_weighs_title_names_and_description_words() -> None:
    vector = tsvector_text(document_tokens(BY_SLUG["catan"]))
    assert "'catan':1A" in vector
    assert "'kosmos':" in vector and vector.split("'kosmos':")[1].split()[0].endswith("B")
    assert "'island':" in vector and vector.split("'island':")[1].split()[0].endswith("C")


def test_writes_a_compound_as_its_word_or_all_its_parts() -> None:
    text = tsquery_text(parse_query("spider-man"), {})
    assert text == "(('spiderman' | 'spiderman':*) | (('spider') & ('man' | 'man':*)))"


def test_leaves_typos_and_completions_out_of_the_exact_query() -> None:
    plan = parse_query("amazng batm")
    expansions = {plan.clauses[0].word: ["amazing"]}
    assert tsquery_text(plan, expansions) == "('amazng' | 'amazing') & ('batm' | 'batm':*)"
    assert tsquery_text(plan, expansions, exact=True) == "('amazng') & ('batm')"
