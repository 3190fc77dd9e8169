"""Input checks: clear messages for what cannot be answered, clean text for what can."""

from __future__ import annotations

import pytest

from assistant.errors import InvalidQuestion
from assistant.question.validate import MAX_TURNS, clean_history, clean_question


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Please type a question"),
        ("   \n\t ", "Please type a question"),
        ("\u202e\u200b", "Please type a question"),
        ("x" * 101, "limited to 100 characters; this one has 101"),
        (None, "must be text"),
    ],
)
def test_clean_question__rejects_with_a_clear_message(question: object, message: str) -> None:
    with pytest.raises(InvalidQuestion, match=message):
        clean_question(question, max_chars=100)


@pytest.mark.parametrize(
    ("question", "cleaned"),
    [
        ("  Who   won? ", "Who won?"),
        ("Who\u202e won\u0007?", "Who won ?"),
        ("¿Quién ganó?", "¿Quién ganó?"),
    ],
)
def test_clean_question__cleans(question: str, cleaned: str) -> None:
    assert clean_question(question, max_chars=100) == cleaned


def test_clean_history__keeps_recent_pairs_and_rejects_bad_shapes() -> None:
    history = [[f"q{i}", f"a{i}"] for i in range(MAX_TURNS + 3)]
    assert clean_history(history)[0] == ("q3", "a3")
    assert len(clean_history(history)) == MAX_TURNS
    assert clean_history(None) == []
    with pytest.raises(InvalidQuestion, match="pair"):
        clean_history([["only one"]])
    with pytest.raises(InvalidQuestion, match="list"):
        clean_history("not a list")
