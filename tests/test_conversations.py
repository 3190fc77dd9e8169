"""A reader's conversations as kept in the browser: malformed data is dropped, the list is newest first."""

from __future__ import annotations

import json

from assistant.presentation import conversations as c
from assistant.types import Answer


def turn(question: str, answer: str = "Sixty-six [1].", size: int = 0) -> dict:
    return {"question": question, "answer": Answer(answer + "x" * size).to_dict()}


def test_a_first_question_starts_a_conversation_titled_by_it_and_listed_first() -> None:
    state = c.with_turns(c.EMPTY, [turn("How many were killed?")])
    state = c.with_turns(c.started(state), [turn("Who wrote the letter?")])
    assert [label.split(" · ")[0] for label, _ in c.choices(state)] == [
        "Who wrote the letter?",
        "How many were killed?",
    ]
    older = c.choices(state)[1][1]
    state = c.opened(state, older)
    assert c.current_turns(state)[0]["question"] == "How many were killed?"
    state = c.with_turns(state, [*c.current_turns(state), turn("And where?")])  # a follow-up moves it to the top
    assert c.choices(state)[0][1] == older and len(c.current_turns(state)) == 2


def test_rename_delete_and_a_long_title() -> None:
    question = "What did the Pentagon say about the coalition pausing the training of Iraqi security forces?"
    state = c.with_turns(c.EMPTY, [turn(question)])
    assert c.title_of(state) == "What did the Pentagon say about the coalition pausing the…"
    state = c.renamed(state, "  Training pause  ")
    assert c.title_of(state) == "Training pause"
    assert c.title_of(c.renamed(state, " ")) == c.title_for(question)  # blank: the first question again
    state = c.deleted(state)
    assert state == {"current": None, "items": []}


def test_normalise__keeps_only_what_has_the_saved_shape() -> None:
    good = c.with_turns(c.EMPTY, [turn("How many were killed?")])
    item = good["items"][0]
    forged = {
        "current": "nope",
        "items": [item, item, "x", {"id": 5}, {"id": "empty", "turns": []}, {"id": "bad", "turns": [{"q": 1}]}],
    }
    assert c.normalise(forged) == {"current": None, "items": [item]}
    assert c.normalise("garbage") == c.EMPTY and c.normalise(None) == c.EMPTY
    assert c.opened(good, "unknown") == good


def test_old_conversations_are_dropped_before_the_browser_storage_fills() -> None:
    state = c.EMPTY
    for i in range(c.MAX_CONVERSATIONS + 5):
        state = c.with_turns(c.started(state), [turn(f"Question {i}?")])
    assert (
        len(state["items"]) == c.MAX_CONVERSATIONS
        and state["items"][0]["title"] == f"Question {c.MAX_CONVERSATIONS + 4}?"
    )
    big = c.EMPTY
    for i in range(6):
        big = c.with_turns(c.started(big), [turn(f"Long {i}?", size=400_000)])
    assert len(json.dumps(big["items"])) <= c.MAX_CHARS and big["items"][0]["title"] == "Long 5?"
