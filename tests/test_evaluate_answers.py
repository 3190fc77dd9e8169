"""MultiHop-RAG end to end: the scoring rules as tables, the fixed split, the seeded draw, and one run of
`run_answers` over a slice of the real benchmark (the real engine, Chroma and embedder; a scripted LLM)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from assistant.engine import Assistant
from assistant.evaluate import __main__ as cli
from assistant.evaluate.answers import (
    Reply,
    ask,
    cited_each,
    gold_kind,
    paper_correct,
    pick,
    recall,
    run_answers,
    score,
    split_of,
    strict,
    yes_or_no,
)
from assistant.types import Answer, Citation, Passage
from tests.conftest import MULTIHOP, make_settings
from tests.fakes import ScriptedLLM

AGE, INDEPENDENT = "The Age", "The Independent - Life and Style"
FACTS = [
    "Swifties were immediately on high alert, with some capturing Swift and Kelce leaving the stadium together.",
    "The post came after Swift was seen enthusiastically cheering him on in the box seats at Arrowhead Stadium.",
]


@pytest.mark.parametrize(
    ("question_type", "gold", "kind"),
    [
        ("null_query", "Insufficient information.", "null"),
        ("comparison_query", "Yes", "yes/no"),
        ("temporal_query", "no", "yes/no"),
        ("inference_query", "Sam Bankman-Fried", "entity"),
        ("comparison_query", "Consistent", "entity"),
    ],
)
def test_gold_kind__null_yes_no_or_entity(question_type: str, gold: str, kind: str) -> None:
    assert gold_kind(question_type, gold) == kind


@pytest.mark.parametrize(
    ("text", "gold", "refused", "correct"),
    [
        ("Taylor Swift and Travis Kelce were seen leaving together [1].", "Taylor Swift and Travis Kelce", False, True),
        ("Taylor Swift [1] and Travis Kelce [2].", "Taylor Swift and Travis Kelce", False, True),  # markers go
        ("SAM   BANKMAN-FRIED faces trial.", "Sam Bankman-Fried", False, True),  # case and spacing
        ("OpenAI’s board fired him.", "OpenAI's board", False, True),  # quote style
        ("Swift and Kelce left together.", "Taylor Swift and Travis Kelce", False, False),  # not the whole answer
        ("The articles do not say. The closest is about Google.", "Google", True, False),  # declined
    ],
)
def test_strict__an_entity_answer_holds_the_gold_answer_and_is_not_declined(
    text: str, gold: str, refused: bool, correct: bool
) -> None:
    assert strict(text, gold, "entity", refused=refused) is correct


@pytest.mark.parametrize(
    ("text", "said", "gold", "correct"),
    [
        ("No, the later report does not contradict it [1].", "no", "no", True),
        ("Yes [1]. Both outlets report the game.", "yes", "Yes", True),
        ("Yes [1].", "yes", "no", False),
        ("Both outlets report the game [1]. Yes, they agree [2].", None, "Yes", False),  # not in the first sentence
        ("There is no sign they split, so yes, they are dating.", "no", "yes", False),  # the first word decides
        ("Nobody denied it; the answer is yes [1].", "yes", "yes", True),  # whole words only
        ("", None, "no", False),
    ],
)
def test_strict__a_yes_no_answer_is_read_from_its_first_sentence(
    text: str, said: str | None, gold: str, correct: bool
) -> None:
    assert yes_or_no(text) == said
    assert strict(text, gold, "yes/no", refused=False) is correct
    assert strict(text, gold, "yes/no", refused=True) is False


@pytest.mark.parametrize(
    ("text", "refused", "correct"), [("The articles do not say.", True, True), ("Yes [1].", False, False)]
)
def test_strict__a_null_question_is_right_when_declined(text: str, refused: bool, correct: bool) -> None:
    assert strict(text, "Insufficient information.", "null", refused=refused) is correct


@pytest.mark.parametrize(
    ("text", "gold", "refused", "correct"),
    [
        ("Taylor Swift [1].", "Taylor Swift and Travis Kelce", False, True),  # one shared word is enough
        ("They were seen at the game.", "Taylor Swift and Travis Kelce", False, False),
        ("Google, says the report.", "Google", False, True),  # punctuation stripped from word ends
        ("Googled it.", "Google", False, False),
        ("YES.", "yes", False, True),
        ("The articles do not say.", "Insufficient information.", True, True),  # a decline reads as the null answer
        ("The articles do not say.", "Insufficient information.", False, False),
        ("The articles do not say.", "Yes", True, False),
    ],
)
def test_paper_correct__shares_a_word_with_the_gold_answer(text: str, gold: str, refused: bool, correct: bool) -> None:
    assert paper_correct(text, gold, refused=refused) is correct


def _passage(outlet: str, text: str = "") -> Passage:
    return Passage(text=text, source_id=outlet, title=outlet, score=1.0, outlet=outlet)


@pytest.mark.parametrize(
    ("cited", "sources", "each"),
    [
        ([AGE, INDEPENDENT], [INDEPENDENT, AGE], True),
        (["the age", "THE INDEPENDENT - LIFE AND STYLE"], [AGE, INDEPENDENT], True),  # case-insensitive
        ([AGE, AGE], [AGE, INDEPENDENT], False),  # two passages of one outlet
        ([], [AGE], False),
        ([AGE], [], False),  # no evidence to cite
    ],
)
def test_cited_each__a_passage_of_every_evidence_outlet_is_cited(
    cited: list[str], sources: list[str], each: bool
) -> None:
    answer = Answer("Yes [1].", citations=[Citation(n, _passage(o)) for n, o in enumerate(cited, start=1)])
    assert cited_each(answer, [{"source": s} for s in sources]) is each


@pytest.mark.parametrize(
    ("facts", "texts", "share"),
    [
        ([], ["anything"], None),
        (FACTS, [f"Before. {FACTS[0]}", "Other text."], 0.5),
        (FACTS, [" ".join(FACTS).replace(" ", "\n  ")], 1.0),  # whitespace is removed before comparing
        (FACTS[:1], [FACTS[0][:40], FACTS[0][40:]], 1.0),  # a fact split across two excerpts still counts
    ],
)
def test_recall__share_of_facts_inside_the_texts(facts: list[str], texts: list[str], share: float | None) -> None:
    assert recall(facts, texts) == share


def test_score__known_answer_for_a_cited_yes() -> None:
    """A yes/no question with gold Yes and evidence from two outlets: the answer says yes and cites both, so
    it is strict, cited to each and right by the paper's rule; the model read one of the two facts (context
    recall 1/2) of passages holding both (passage recall 1)."""
    question = {
        "query": "Do The Age and The Independent both place Swift at Kelce's game?",
        "answer": "Yes",
        "question_type": "comparison_query",
        "evidence_list": [{"source": AGE, "fact": FACTS[0]}, {"source": INDEPENDENT, "fact": FACTS[1]}],
    }
    passages = [_passage(AGE, FACTS[0]), _passage(INDEPENDENT, f"Earlier. {FACTS[1]}")]
    answer = Answer(
        "Yes, both place her there [1][2].",
        citations=[Citation(1, passages[0]), Citation(2, passages[1])],
        passages=passages,
        excerpts=[FACTS[0], "Earlier."],
        signals=("wrong_kind",),
    )
    item = score(question, Reply("Yes, both place her there [1].", answer, 0.5, 2.0))
    assert item.kind == "yes/no" and item.type == "comparison" and not item.refused
    assert item.scores == {
        "strict": True,
        "verdict": True,
        "cited_each": True,
        "paper": True,
        "raw_strict": True,
        "context_recall": 0.5,
        "passage_recall": 1.0,
    }
    assert item.cited_outlets == [AGE, INDEPENDENT] and item.excerpt_words == len(FACTS[0].split()) + 1
    assert item.signals == ["wrong_kind"] and item.decline_code == ""


def test_score__a_right_yes_citing_one_of_two_sources_is_not_strict() -> None:
    """Nearly every gold yes/no answer is Yes, so a right verdict counts only when the answer cites a passage
    of each outlet the evidence comes from: here it cites The Age alone."""
    question = {
        "query": "Do The Age and The Independent both place Swift at Kelce's game?",
        "answer": "Yes",
        "question_type": "comparison_query",
        "evidence_list": [{"source": AGE, "fact": FACTS[0]}, {"source": INDEPENDENT, "fact": FACTS[1]}],
    }
    passages = [_passage(AGE, FACTS[0]), _passage(INDEPENDENT, FACTS[1])]
    answer = Answer("Yes, she was there [1].", citations=[Citation(1, passages[0])], passages=passages)
    item = score(question, Reply(answer.text, answer, 0.5, 2.0))
    assert item.scores["verdict"] is True and item.scores["cited_each"] is False
    assert item.scores["strict"] is False and item.scores["paper"] is True


@pytest.mark.parametrize(
    ("raw", "raw_strict"),
    [("", True), ("The articles do not say [1].", True), ("Yes, Sridevi's role in Chandni [1].", False)],
)
def test_score__raw_strict_trusts_the_model_on_a_null_question(raw: str, raw_strict: bool) -> None:
    """No reply (the engine declined before asking) or a reply that declines is a decline by the model."""
    question = {"query": "q", "answer": "Insufficient information.", "question_type": "null_query", "evidence_list": []}
    declined = Answer("The articles do not say.", refused=True)
    item = score(question, Reply(raw, declined, 1.0, 1.0))
    assert item.scores["raw_strict"] is raw_strict and item.scores["strict"] is True
    assert item.decline_code == "unrecorded" and item.scores["context_recall"] is None


def test_split_of__known_answers() -> None:
    """The first hex digit of the query's SHA-256 decides: 0-7 tune, 8-f test. Two real queries, worked out
    by hand: the temporal one hashes to 0c…, the null one to fd…."""
    tune = (
        "Did 'The Independent - Life and Style' contradict their report later that same day regarding the nature "
        "of the relationship between Taylor Swift and Travis Kelce after 'The Age' reported on September 26, "
        "2023, about Taylor Swift and Travis Kelce leaving the stadium separately?"
    )
    test = (
        "Considering the information from a BBC article detailing Sridevi's achievements in the Indian film "
        "industry and a Times of India report on her posthumous honors, which single character from a film "
        "portrayed by Sridevi has been recognized for its cultural impact and has also been commemorated with "
        "a special award after her passing?"
    )
    assert hashlib.sha256(tune.encode("utf-8")).hexdigest()[:2] == "0c"
    assert hashlib.sha256(test.encode("utf-8")).hexdigest()[:2] == "fd"
    assert split_of(tune) == "tune" and split_of(test) == "test"


def _questions() -> list[dict[str, object]]:
    kinds = {"inference_query": 30, "comparison_query": 30, "temporal_query": 30, "null_query": 3}
    return [
        {"query": f"{kind} question {n}", "answer": "x", "question_type": kind, "evidence_list": []}
        for kind, count in kinds.items()
        for n in range(count)
    ]


def test_pick__same_seed_same_questions_whatever_the_file_order() -> None:
    questions = _questions()
    first = pick(questions, split="all", per_type=5, seed=0)
    assert pick(list(reversed(questions)), split="all", per_type=5, seed=0) == first
    assert pick(questions, split="all", per_type=5, seed=1) != first
    counts = {kind: sum(q["question_type"] == kind for q in first) for kind in ("inference_query", "null_query")}
    assert counts == {"inference_query": 5, "null_query": 3}  # fewer when a type has fewer


@pytest.mark.parametrize("split", ["tune", "test"])
def test_pick__takes_only_the_split(split: str) -> None:
    chosen = pick(_questions(), split=split, per_type=100, seed=0)
    assert chosen and all(split_of(str(q["query"])) == split for q in chosen)
    assert len(pick(_questions(), split="all", per_type=100, seed=0)) == 93


def test_ask__an_engine_error_is_a_decline_with_code_error(scripted_assistant: tuple[Assistant, ScriptedLLM]) -> None:
    assistant, _ = scripted_assistant
    reply = ask(assistant, "   ")
    assert reply.raw == "" and reply.answer.refused and reply.answer.decline_reason is not None
    assert reply.answer.decline_reason.code == "error" and reply.answer.decline_reason.reason


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--split", "test"], "must hold corpus.json and MultiHopRAG.json"),
        (["--split", "half"], "--split must be one of tune, test, all"),
    ],
)
def test_main__a_run_that_cannot_happen_exits_2_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert cli.main(["--multihop-answers", str(tmp_path), "--out", str(tmp_path / "out"), *args]) == 2
    assert message in capsys.readouterr().err


SLICE = (  # the beginnings of four real questions: three answered by two articles, one null
    "Which two individuals, linked by recent events reported by 'The Age'",  # inference, Taylor Swift and Travis Kelce
    "Does 'The Independent - Life and Style' article suggest that Taylor Swift and Travis Kelce",  # comparison, Yes
    "Did 'The Independent - Life and Style' contradict",  # temporal, no
    "Considering the information from a BBC article detailing Sridevi's",  # null
)


def _benchmark_slice(folder: Path) -> None:
    """corpus.json: the evidence articles of the SLICE questions and the first ten others; MultiHopRAG.json:
    those questions."""
    questions = [q for q in json.loads((MULTIHOP / "MultiHopRAG.json").read_text()) if q["query"].startswith(SLICE)]
    assert len(questions) == len(SLICE)
    titles = {e["title"] for q in questions for e in q["evidence_list"]}
    corpus = json.loads((MULTIHOP / "corpus.json").read_text())
    articles = [a for a in corpus if a["title"] in titles] + [a for a in corpus if a["title"] not in titles][:10]
    folder.mkdir()
    (folder / "corpus.json").write_text(json.dumps(articles))
    (folder / "MultiHopRAG.json").write_text(json.dumps(questions))
    (folder / "published_numbers.json").write_text((MULTIHOP / "published_numbers.json").read_text())


@pytest.mark.skipif(not MULTIHOP.exists(), reason="the MultiHop-RAG benchmark is not beside the project")
def test_run_answers__a_slice_end_to_end(tmp_path: Path) -> None:
    """The model replies "Yes [1]." to everything and its judge says TRUE to every claim. Known answer: the
    inference question gets "Yes [1]." (no entity: wrong); the two yes/no questions get a verified "Yes."
    quoting The Age (right for the comparison, gold Yes, but strict wants a citation of each source it
    names; wrong for the temporal one, gold No); the null question is declined for names no article has.
    Raw strict over the three answerable ones is 1/3; strict 1/4 (the null); the paper's rule 2/4."""
    _benchmark_slice(tmp_path / "mh")
    llm = ScriptedLLM(*["Yes [1]."] * 4)
    out = tmp_path / "out"
    overall = run_answers(tmp_path / "mh", out, make_settings(tmp_path / "data"), split="all", llm=llm)

    data = json.loads((out / "report.json").read_text())
    rows, items = data["rows"], data["items"]
    assert len(llm.calls) == 3  # the inference answer, and the claims of the two yes/no questions
    assert rows["answerable"]["raw_strict"] == pytest.approx(1 / 3)
    assert overall == rows["overall"] and overall["n"] == len(items) == 4
    assert sum(rows[t]["n"] for t in ("inference", "comparison", "temporal", "null")) == 4
    assert rows["answerable"]["n"] == 3
    assert [(i["type"], i["scores"]["strict"], i["scores"]["paper"]) for i in items] == [
        ("inference", False, False),
        ("comparison", False, True),
        ("temporal", False, False),
        ("null", True, True),
    ]
    assert (overall["strict"], overall["paper"]) == (1 / 4, 2 / 4)
    assert sum(data["declines"]["overall"].values()) == sum(i["refused"] for i in items)
    assert data["declines"]["overall"] == {
        code: sum(data["declines"][t].get(code, 0) for t in ("inference", "comparison", "temporal", "null"))
        for code in data["declines"]["overall"]
    }
    assert data["signals"]["(questions)"] == {"null": 1, "raw_correct": 1, "other": 2}
    assert "paper: GPT-4" in data["paper"]
    markdown = (out / "report.md").read_text()
    assert (
        "| overall |" in markdown and "paper's Table 6" in markdown and "| paper: GPT-4 | 0.560 | 0.890 |" in markdown
    )
    assert (out / "multihop-answers.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
