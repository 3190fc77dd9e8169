"""Reading outlets and dates out of news questions."""

from __future__ import annotations

import pytest

from assistant.question.mentions import OutletMatcher, segments
from assistant.text import dates

OUTLETS = [
    "The Verge",
    "TechCrunch",
    "Cnbc | World Business News Leader",
    "The Independent - Sport",
    "The Independent - Life and Style",
    "Fortune",
]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Did The Verge and TechCrunch both report the trial?", [{"The Verge"}, {"TechCrunch"}]),
        ("What did CNBC say?", [{"Cnbc | World Business News Leader"}]),
        ("According to The Independent, who won?", [{"The Independent - Sport", "The Independent - Life and Style"}]),
        ("Did TechCrunch report it before TechCrunch retracted it?", [{"TechCrunch"}, {"TechCrunch"}]),
        ("Was the verge of collapse reported?", [{"The Verge"}] * 0),  # "verge" alone is not "The Verge"
        ("Is this about TechCrunchy snacks?", []),  # word boundaries
    ],
)
def test_outlet_matcher(question: str, named: list[set[str]]) -> None:
    assert [set(m.outlets) for m in OutletMatcher(OUTLETS).mentions(question)] == named


def test_segments__text_after_each_mention_up_to_the_next() -> None:
    question = "Did The Verge say phones got cheaper, and did TechCrunch say laptops did?"
    mentions = OutletMatcher(OUTLETS).mentions(question)
    assert segments(question, mentions) == [" say phones got cheaper, and did ", " say laptops did?"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("published on October 5, 2023", {"2023-10-05"}),
        ("from Oct. 5, 2023 and Dec 25 2023", {"2023-10-05", "2023-12-25"}),
        ("on February 30, 2023", set()),  # not a date
        ("in 2023", set()),
    ],
)
def test_dates(text: str, found: set[str]) -> None:
    assert dates(text) == found
