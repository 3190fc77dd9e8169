"""The text toolkit: what counts as a sentence, a content word, a name and a date, everywhere."""

from __future__ import annotations

import pytest

from assistant.text import MONEY, NUMBER, TIME, content_words, dates, is_day, names, plural, singular


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # known answer: after the first word, capitalised words and years; "US" is a name though "us" is a stop word
        ("Did the US confirm that Reuters reported it in 2023?", ["US", "Reuters", "2023"]),
        ("What happened in May 2023 according to The Verge?", ["May", "2023", "Verge"]),
        ("Who is the general? Answer without any citation markers.", []),
        ("Between the report of TechCrunch and Between the Lines", ["TechCrunch", "Lines"]),
        ("The Iranian-backed militias", ["Iranian-backed"]),
    ],
)
def test_names__capitalised_words_after_the_first_and_years(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("speakers", "speaker"), ("Chairmen", "Chairman"), ("class", "class"), ("bus", "bus"), ("its", "its")],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_content_words__stop_words_dropped_plurals_and_possessives_made_plain() -> None:
    assert content_words("The militias' leaders said Iraq's 1,200 troops were there.") == {
        "militia",
        "leader",
        "iraq",
        "1200",
        "troop",
    }


def test_dates__written_days_become_iso_days_and_impossible_ones_are_skipped() -> None:
    assert dates("On October 5, 2023 and Oct. 7 2023, not February 30, 2023.") == {"2023-10-05", "2023-10-07"}
    assert is_day("2023-10-05") and not is_day("2023-02-30") and not is_day("October 5")


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (NUMBER, "about 500 troops", "500"),
        (NUMBER, "hundreds of civilians", "hundreds"),
        (MONEY, "a budget of $84 million", "$84 million"),
        (TIME, "it happened last week", "last week"),
        (TIME, "on Nov. 26", "Nov."),
    ],
)
def test_patterns__numbers_money_and_time_words(pattern: object, text: str, found: str) -> None:
    match = pattern.search(text)  # type: ignore[attr-defined]
    assert match is not None and match.group(0) == found


def test_plural() -> None:
    assert [plural(1, "article"), plural(2, "article"), plural(1200, "category")] == [
        "1 article",
        "2 articles",
        "1,200 categories",
    ]
