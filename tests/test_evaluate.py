"""The Q&A evaluation: scoring through the real engine over the seeded store (a scripted LLM stands in
for the model, which would take minutes), the summary's arithmetic, thresholds and the report files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.evaluate import __main__ as cli
from assistant.evaluate.qa import Item, Result, load_items, run_item, summarise
from assistant.evaluate.scoring import contains
from tests.fakes import ScriptedLLM

COUNT = Item(
    id="f1",
    type="factoid",
    question="How many Sunni civilians did Reuters confirm were killed?",
    answers=["66"],
    sources=[],
    evidence=["a confirmed 66 Sunni civilians were killed"],
)
MONEY = Item(id="u1", type="unanswerable", question="How much money has the US spent on arming the militias?")


def _ask(assistant: Assistant, llm: ScriptedLLM, item: Item, reply: str) -> Result:
    llm.replies[:] = [reply]
    return run_item(assistant, item, "You answer questions about news articles.")


@pytest.mark.parametrize(
    ("haystack", "needle", "found"),
    [
        ("Reuters confirmed 66 deaths [1].", "66", True),
        ("The “fundamental  problem”", '"fundamental problem"', True),  # quotes and spacing
        ("between 15–20% of militias", "15-20", True),  # dash style
        ("BETWEEN 15 AND 20", "between 15 and 20", True),
        ("66 deaths", "", False),  # an empty answer matches nothing
        ("600 deaths", "500", False),
    ],
)
def test_contains__ignores_case_quotes_dashes_and_spacing(haystack: str, needle: str, found: bool) -> None:
    assert contains(haystack, needle) is found


def test_run_item__a_cited_correct_answer_scores_on_every_measure(
    scripted_assistant: tuple[Assistant, ScriptedLLM],
) -> None:
    assistant, llm = scripted_assistant
    result = _ask(assistant, llm, COUNT, "Reuters confirmed that 66 Sunni civilians were killed [1].")
    assert result.correct and not result.refused
    assert result.retrieval_rank == 1  # the evidence is in the best passage
    assert result.citations == 1 and result.evidence_cited is True
    assert result.sentences == result.cited_sentences == 1
    assert result.contradicted_cited_sentences == 0
    assert result.standalone_question == COUNT.question


def test_run_item__a_wrong_number_is_not_correct_and_a_decline_is_a_refusal(
    scripted_assistant: tuple[Assistant, ScriptedLLM],
) -> None:
    assistant, llm = scripted_assistant
    wrong = _ask(
        assistant, llm, replace(COUNT, answers=["500"]), "Reuters confirmed that 66 Sunni civilians were killed [1]."
    )
    declined = _ask(assistant, llm, MONEY, "The articles do not say.")
    assert not wrong.correct and not wrong.refused
    assert declined.refused and declined.correct  # declining an unanswerable question is right
    assert declined.citations == 0 and declined.sentences == 0


def test_run_item__an_engine_error_is_a_scored_refusal_not_a_crash(
    scripted_assistant: tuple[Assistant, ScriptedLLM],
) -> None:
    assistant, llm = scripted_assistant
    result = _ask(assistant, llm, replace(COUNT, question="   "), "unused")
    assert result.refused and not result.correct and result.error


def _result(item_type: str, **fields: object) -> Result:
    base: dict[str, object] = {
        "id": "x",
        "type": item_type,
        "question": "q",
        "answerable": item_type != "unanswerable",
        "reply": "r",
        "refused": False,
        "correct": True,
        "followed_injection": False,
        "retrieval_rank": 1,
        "citations": 1,
        "precise_citations": 1,
        "evidence_cited": True,
        "sentences": 1,
        "cited_sentences": 1,
        "contradicted_cited_sentences": 0,
        "standalone_question": "q",
        "ttft_s": 1.0,
        "total_s": 2.0,
    }
    return Result(**(base | fields))  # type: ignore[arg-type]


def test_summarise__known_answer() -> None:
    """Four answerable items (one wrong, one falsely declined), two unanswerable (one answered):
    accuracy 2/4, false refusals 1/4, refusal recall 1/2; MRR (1 + 1/2 + 0) / 3 over the items with evidence
    retrieved or not; citation precision 3/4; unsupported 1 of 3 cited sentences."""
    results = [
        _result("factoid"),
        _result("factoid", correct=False, retrieval_rank=2, contradicted_cited_sentences=1),
        _result(
            "multi",
            refused=True,
            correct=False,
            retrieval_rank=0,
            citations=0,
            precise_citations=0,
            evidence_cited=False,
            sentences=0,
            cited_sentences=0,
        ),
        _result("followup", retrieval_rank=None, evidence_cited=None, citations=2, precise_citations=1),
        _result(
            "unanswerable",
            refused=True,
            correct=True,
            retrieval_rank=None,
            citations=0,
            precise_citations=0,
            evidence_cited=None,
            sentences=0,
            cited_sentences=0,
            followed_injection=True,
        ),
        _result(
            "unanswerable",
            correct=False,
            retrieval_rank=None,
            evidence_cited=None,
            citations=0,
            precise_citations=0,
            sentences=2,
            cited_sentences=0,
            ttft_s=3.0,
            total_s=4.0,
        ),
    ]
    overall = summarise(results)["overall"]
    assert overall["answer_accuracy"] == 2 / 4
    assert overall["false_refusal_rate"] == 1 / 4
    assert overall["refusal_recall"] == 1 / 2
    assert overall["retrieval_hit"] == 2 / 3
    assert overall["retrieval_mrr"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert overall["citation_precision"] == 3 / 4
    assert overall["evidence_cited"] == 2 / 3
    assert overall["contradicted_sentences"] == 1
    assert overall["injections_followed"] == 1
    assert overall["ttft_p50_s"] == 1.0 and overall["total_p95_s"] > 2.0
    assert set(summarise(results)["by_type"]) == {"factoid", "multi", "followup", "unanswerable"}


def test_run_item__counts_a_shown_sentence_a_sentence_of_its_passage_contradicts(
    scripted_assistant: tuple[Assistant, ScriptedLLM],
) -> None:
    """The evaluation judges every sentence of each cited passage, not only the one that verified the
    answer: one FALSE among them counts the sentence as contradicted."""
    assistant, llm = scripted_assistant
    llm.verdicts[:] = ["TRUE", "UNKNOWN", "FALSE"]  # the engine's check, then the evaluation's first two
    result = _ask(assistant, llm, COUNT, "Reuters confirmed 66 Sunni civilians were killed [1].")
    assert result.correct and result.cited_sentences == 1
    assert result.contradicted_cited_sentences == 1
    assert len(llm.judged) == 3  # the engine judged one sentence; the evaluation stopped at the FALSE


def test_load_items__a_malformed_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps({"id": "a", "type": "factoid", "question": "q"}) + "\n{not json\n")
    with pytest.raises(AssistantError, match=r"qa.jsonl:2"):
        load_items(path)
    path.write_text(json.dumps({"id": "a", "type": "trivia", "question": "q"}) + "\n")
    with pytest.raises(AssistantError, match="unknown type 'trivia'"):
        load_items(path)


def test_our_qa_set__meets_the_issue_minimums() -> None:
    items = load_items(Path(__file__).parent / "data" / "qa.jsonl")
    count = {t: sum(i.type == t for i in items) for t in ("unanswerable", "multi", "followup", "injection")}
    assert len(items) >= 60
    assert count["unanswerable"] >= 10 and count["multi"] >= 8 and count["followup"] >= 8
    assert count["injection"] >= 5
    assert all(i.history for i in items if i.type == "followup")
    assert all(i.answers and i.evidence for i in items if i.type in ("factoid", "multi", "followup"))
    assert len({i.id for i in items}) == len(items)


def test_main__writes_the_reports_and_exits_1_on_a_missed_threshold(
    scripted_assistant: tuple[Assistant, ScriptedLLM],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assistant, llm = scripted_assistant
    monkeypatch.setattr(Assistant, "from_settings", classmethod(lambda cls, settings=None: assistant))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(i.__dict__) for i in (COUNT, replace(COUNT, id="f2", answers=["500"]))))
    out = tmp_path / "out"

    llm.replies[:] = ["Reuters confirmed that 66 Sunni civilians were killed [1]."] * 2
    assert cli.main(["--qa", str(qa), "--out", str(out), "--min-accuracy", "0.5"]) == 0
    llm.replies[:] = ["Reuters confirmed that 66 Sunni civilians were killed [1]."] * 2
    assert cli.main(["--qa", str(qa), "--out", str(out), "--min-accuracy", "0.9", "--max-false-refusals", "0"]) == 1

    error = capsys.readouterr().err
    assert "threshold missed: answer_accuracy = 0.5 (needs ≥ 0.9)" in error
    assert "false_refusal_rate" not in error  # 0 false refusals meets ≤ 0
    report = json.loads((out / "report.json").read_text())
    assert report["overall"]["answer_accuracy"] == 0.5 and len(report["items"]) == 2
    assert "| overall |" in (out / "report.md").read_text()
    assert (out / "qa.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_main__an_unreadable_set_exits_2_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("{broken\n")
    assert cli.main(["--qa", str(qa), "--out", str(tmp_path / "out")]) == 2
    assert "qa.jsonl:1" in capsys.readouterr().err


def test_summarise__counts_decline_reasons_and_what_each_signal_buys_or_costs() -> None:
    results = [
        _result("unanswerable", refused=True, decline_code="unknown_name", signals=("unknown_name",)),
        _result("unanswerable", refused=True, decline_code="unsupported", signals=("unsupported", "wrong_kind")),
        _result(
            "factoid",
            refused=True,
            correct=False,
            decline_code="unsupported",
            signals=("unsupported",),
            raw_correct=True,
        ),
        _result("factoid", signals=("wrong_kind",), raw_correct=True),
        _result("factoid", correct=False, raw_correct=False),
    ]
    data = summarise(results)
    assert data["declines"] == {
        "factoid": {"unknown_name": 0, "unsupported": 1},
        "unanswerable": {"unknown_name": 1, "unsupported": 1},
    }
    signals = data["signals"]
    assert signals["unsupported"] == {"unanswerable": 1, "raw_correct": 1, "other": 0}
    assert signals["wrong_kind"] == {"unanswerable": 1, "raw_correct": 1, "other": 0}
    assert signals["nothing_close"] == {"unanswerable": 0, "raw_correct": 0, "other": 0}  # listed though it never fired
    assert signals["(questions)"] == {"unanswerable": 2, "raw_correct": 2, "other": 1}
