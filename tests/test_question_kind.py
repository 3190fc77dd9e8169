"""Yes/no questions told from the others by the structure of their main clause."""

from __future__ import annotations

import pytest

from assistant.question.kind import asks_yes_or_no


@pytest.mark.parametrize(
    ("question", "yes_or_no"),
    [
        ("Is the US leaving Iraq?", True),
        ("Did Reuters confirm that civilians were killed?", True),
        ("Doesn't the coalition plan to stay?", True),
        ("After the report on October 7, 2023, concerning Flexport, was there a change in its tone?", True),
        ("Based on the two reports, does the coalition plan to stay?", True),
        ("Who wrote the letter about US forces leaving Iraq?", False),
        ("How many Sunni civilians did Reuters confirm were killed?", False),
        ("Which outlet reported, after the vote, that the caucus was split?", False),
        ("Summarise the article about the militias.", False),
        ("The coalition paused training, why?", False),
    ],
)
def test_asks_yes_or_no(question: str, yes_or_no: bool) -> None:
    assert asks_yes_or_no(question) is yes_or_no
