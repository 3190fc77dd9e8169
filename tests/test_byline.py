"""Who wrote or published a named article, answered from its byline."""

from __future__ import annotations

import pytest

from assistant.generation.byline import byline_answer
from assistant.types import Passage

TRAINING = "Why Is The US Training Iranian-Backed Militias?"
COALITION = "US-Led Coalition Halts Training for Iraqi Military to Focus on Protecting Iraqi Bases: Pentagon"


def _passage(source: str, title: str, text: str = "text", *, author: str = "A. Writer", outlet: str = "O") -> Passage:
    return Passage(text=text, source_id=source, title=title, score=1.0, author=author, outlet=outlet)


PASSAGES = [
    _passage("coalition", COALITION, "best", author="Jack Phillips", outlet="The Epoch Times"),
    _passage("training", TRAINING, "best of its article", author="Saagar Enjeti", outlet="Daily Caller"),
    _passage("training", TRAINING, "second of its article", author="Saagar Enjeti", outlet="Daily Caller"),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Who wrote the article asking why the US is training Iranian-backed militias?",
            f"“{TRAINING}” was written by Saagar Enjeti for Daily Caller.",
        ),
        (
            "Which outlet published the piece on why the US trains Iranian-backed militias?",
            f"“{TRAINING}” was published by Daily Caller.",
        ),
        (
            "Who is the author of the report that the coalition halts training of the Iraqi military to protect bases?",
            f"“{COALITION}” was written by Jack Phillips for The Epoch Times.",
        ),
    ],
)
def test_byline_answer__states_the_author_or_outlet_of_the_article_the_question_names(
    question: str, expected: str
) -> None:
    found = byline_answer(question, PASSAGES)
    assert found is not None
    sentence, passage = found
    assert sentence == expected
    assert passage.text.startswith("best")  # the article's best passage is the one cited


@pytest.mark.parametrize(
    "question",
    [
        "Who wrote about the militias?",  # no title named closely enough
        "Who wrote the article about training?",  # one title word is not enough
        "What did the article on why the US trains Iranian-backed militias say about Iran?",  # not a byline question
        "Who said the US is training Iranian-backed militias?",  # a quoted person, not the author
    ],
)
def test_byline_answer__leaves_other_questions_to_the_model(question: str) -> None:
    assert byline_answer(question, PASSAGES) is None


def test_byline_answer__an_article_with_no_author_recorded_is_left_to_the_model() -> None:
    passages = [_passage("training", TRAINING, author="")]
    question = "Who wrote the article asking why the US is training Iranian-backed militias?"
    assert byline_answer(question, passages) is None
    assert byline_answer(question.replace("Who wrote", "Which outlet published"), passages) is not None


def test_byline_answer__two_articles_matching_the_title_words_is_no_answer() -> None:
    passages = [_passage("one", "Militias Trained"), _passage("two", "Trained Militias Return")]
    assert byline_answer("Who wrote the article on trained militias?", passages) is None
