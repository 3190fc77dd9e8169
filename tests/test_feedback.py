"""Thumbs up/down stored as JSONL, and liked answers turned into Q&A items the evaluator loads."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.evaluate.qa import load_items
from assistant.presentation import feedback
from assistant.types import Answer, Citation, Passage

PASSAGE = Passage(
    "Fighting went on. Reuters confirmed that 66 Sunni civilians were killed. More text.", "src-1", "Purge", 1.0
)


def _answer(refused: bool = False) -> Answer:
    if refused:
        return Answer("The articles do not say.", refused=True, passages=[PASSAGE])
    sentence = "Reuters confirmed 66 Sunni civilians were killed [1]."
    evidence = "Reuters confirmed that 66 Sunni civilians were killed."
    return Answer(sentence + " That was in June [1].", [Citation(1, PASSAGE, sentence, 0.8, evidence)], [PASSAGE])


def test_feedback__ratings_become_qa_items_the_evaluator_loads(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feedback.record(data, liked=True, question="How many were killed?", history=[], answer=_answer())
    feedback.record(data, liked=True, question="And he?", history=[["Who?", "Him [1]."]], answer=_answer())
    feedback.record(data, liked=True, question="Troops now?", history=[], answer=_answer(refused=True))
    feedback.record(data, liked=False, question="Bad one?", history=[], answer=_answer())
    (data / feedback.FILE_NAME).open("a").write("not json\n")
    out = tmp_path / "qa.jsonl"
    assert feedback.main(["--to-qa", str(out), "--feedback", str(data / feedback.FILE_NAME)]) == 0
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert [i["type"] for i in items] == ["factoid", "followup", "unanswerable"]
    first = items[0]
    assert first["answers"] == ["Reuters confirmed 66 Sunni civilians were killed."]
    assert first["evidence"] == ["Reuters confirmed that 66 Sunni civilians were killed."]
    assert first["sources"] == ["src-1"] and items[1]["history"] == [["Who?", "Him [1]."]]
    assert items[2]["answers"] == [] and items[2]["evidence"] == []
    assert [item.question for item in load_items(out)] == ["How many were killed?", "And he?", "Troops now?"]


def test_feedback__a_rating_is_stored_with_question_answer_and_citations(tmp_path: Path) -> None:
    feedback.record(tmp_path, liked=False, question="How many?", history=[], answer=_answer())
    [entry] = list(feedback.read(tmp_path / feedback.FILE_NAME))
    assert entry["rating"] == "down" and entry["question"] == "How many?"
    assert entry["answer"]["citations"][0]["passage"] == PASSAGE.text
