"""MultiHop-RAG end to end: sampled questions asked through `Assistant.stream`, as in the app, and scored.

Questions are split by a hash of their text (tune / test halves) and drawn per type with a fixed seed.
Scoring is by string rules (`strict`, the paper's lenient `paper_correct`), not by a judge model, so a run
is repeatable; it cannot credit a correct paraphrase of an entity answer, nor a yes/no answer that puts
its yes or no after the first sentence. The corpus is ingested into the retrieval benchmark's collection.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.evaluate import report
from assistant.evaluate.multihop import benchmark_files, benchmark_settings, ingest_corpus, published
from assistant.evaluate.scoring import loose_words, mean, normalise, percentile, squeeze
from assistant.generation.llm import LLM
from assistant.grounding.answerable import looks_like_refusal
from assistant.grounding.citations import strip_markers
from assistant.grounding.decision import SIGNALS
from assistant.text import split_sentences
from assistant.types import Answer, Decline
from ingest.recover import recover_store

TYPES = ("inference_query", "comparison_query", "temporal_query", "null_query")
SPLITS = ("tune", "test", "all")
PAPER_NULL = "Insufficient information."  # the gold answer of null queries; a declined reply reads as this
_FIELDS = frozenset({"query", "answer", "question_type", "evidence_list"})
_YES_NO = re.compile(r"\b(yes|no)\b")

Question = dict[str, Any]  # one entry of MultiHopRAG.json
COLUMNS = [
    ("n", "n"),
    ("strict", "strict"),
    ("strict_entity", "strict: entity"),
    ("strict_yes_no", "strict: yes/no"),
    ("yes_no_verdict", "yes/no verdict right"),
    ("yes_no_cited_each", "yes/no cites each source"),
    ("paper", "paper's rule"),
    ("raw_strict", "raw strict"),
    ("declined", "declined"),
    ("answerable_declined", "answerable declined"),
    ("null_declined", "null declined"),
    ("context_recall", "context recall"),
    ("passage_recall", "passage recall"),
    ("first_token_p50_s", "first token p50 s"),
    ("first_token_p95_s", "first token p95 s"),
    ("total_p50_s", "total p50 s"),
    ("total_p95_s", "total p95 s"),
]
_CHARTED = ("strict", "paper", "raw_strict", "answerable_declined", "null_declined", "context_recall", "passage_recall")
CHART_COLUMNS = [column for column in COLUMNS if column[0] in _CHARTED]
PAPER_COLUMNS = [
    ("retrieved_chunk", "accuracy with retrieved chunks (paper's Table 6)"),
    ("ground_truth_chunk", "accuracy with ground-truth chunks (paper's Table 6, null queries excluded)"),
]
SIGNAL_COLUMNS = [
    ("null", "on null questions (declines it buys)"),
    ("raw_correct", "on answerable ones the raw reply got right (what it costs)"),
    ("other", "on other answerable ones"),
]


@dataclass(frozen=True)
class Reply:
    """What the app would have shown: the streamed text, the final Answer, and the times."""

    raw: str
    answer: Answer
    first_token_s: float
    total_s: float


@dataclass(frozen=True)
class Scored:
    """One question, what became of it, and its scores."""

    query: str
    type: str
    gold: str
    kind: str
    answer: str
    raw: str
    refused: bool
    decline_code: str
    decline_reason: str
    signals: list[str]
    cited_outlets: list[str]
    excerpt_words: int
    scores: dict[str, bool | float | None]
    first_token_s: float
    total_s: float


def split_of(query: str) -> str:
    """'tune' when the first hex digit of the query's SHA-256 is 0-7, else 'test'."""
    return "tune" if hashlib.sha256(query.encode("utf-8")).hexdigest()[0] in "01234567" else "test"


def load_questions(path: Path) -> list[Question]:
    """The queries of MultiHopRAG.json; AssistantError when the file is not that."""
    try:
        questions = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise AssistantError(f"{path}: not JSON ({error}).") from None
    if not isinstance(questions, list) or not all(isinstance(q, dict) and q.keys() >= _FIELDS for q in questions):
        raise AssistantError(f"{path}: not MultiHop-RAG queries (a list of objects with {', '.join(sorted(_FIELDS))}).")
    return questions


def pick(questions: list[Question], *, split: str, per_type: int, seed: int) -> list[Question]:
    """Per type (in `TYPES` order), the questions of the split sorted by text, `per_type` of them drawn
    with `random.Random(seed)` (all when fewer)."""
    chosen: list[Question] = []
    for kind in TYPES:
        group = sorted(
            (q for q in questions if q["question_type"] == kind and split in ("all", split_of(q["query"]))),
            key=lambda q: str(q["query"]),
        )
        chosen += random.Random(seed).sample(group, min(per_type, len(group)))
    return chosen


def gold_kind(question_type: str, gold: str) -> str:
    """'null' for null queries, 'yes/no' for a yes or no answer, else 'entity'."""
    if question_type == "null_query":
        return "null"
    return "yes/no" if normalise(gold) in ("yes", "no") else "entity"


def yes_or_no(text: str) -> str | None:
    """The first whole word yes or no in the first sentence of `text` (markers stripped), if any."""
    sentences = split_sentences(text)
    found = _YES_NO.search(normalise(strip_markers(sentences[0]))) if sentences else None
    return found.group(1) if found else None


def strict(text: str, gold: str, kind: str, *, refused: bool) -> bool:
    """Null: declined. Yes/no: the first sentence says the gold word. Entity: the gold answer is in the text."""
    if kind == "null":
        return refused
    if refused:
        return False
    if kind == "yes/no":
        return yes_or_no(text) == normalise(gold)
    return normalise(gold) in normalise(strip_markers(text))


def paper_correct(text: str, gold: str, *, refused: bool) -> bool:
    """The paper's lenient rule: the reply (a decline read as "Insufficient information.") and the gold
    answer share a word."""
    return bool(loose_words(PAPER_NULL if refused else strip_markers(text)) & loose_words(gold))


def cited_each(answer: Answer, evidence: list[dict[str, Any]]) -> bool:
    """A passage of every evidence outlet is cited (outlets compared case-insensitively)."""
    outlets = {c.passage.outlet.casefold() for c in answer.citations}
    sources = {str(e["source"]).casefold() for e in evidence}
    return bool(sources) and sources <= outlets


def recall(facts: list[str], texts: list[str]) -> float | None:
    """The share of `facts` found, whitespace removed, in `texts` joined; None without facts."""
    if not facts:
        return None
    haystack = squeeze(" ".join(texts))
    return sum(squeeze(f) in haystack for f in facts) / len(facts)


def ask(assistant: Assistant, query: str) -> Reply:
    """Ask as the app does, without history; an AssistantError is a decline with code 'error'."""
    started = time.perf_counter()
    pieces: list[str] = []
    first: float | None = None
    answer: Answer | None = None
    try:
        for piece in assistant.stream(query):
            if isinstance(piece, Answer):
                answer = piece
                continue
            first = time.perf_counter() - started if first is None else first
            pieces.append(piece)
    except AssistantError as error:
        answer = Answer(text=str(error), refused=True, decline_reason=Decline("error", str(error)))
    total = time.perf_counter() - started
    assert answer is not None, "stream() always ends with an Answer"
    return Reply("".join(pieces), answer, total if first is None else first, total)


def score(question: Question, reply: Reply) -> Scored:
    """The item's record: what the engine did and every score."""
    answer, gold = reply.answer, str(question["answer"])
    kind = gold_kind(question["question_type"], gold)
    facts = [str(e["fact"]) for e in question["evidence_list"]]
    right = strict(answer.text, gold, kind, refused=answer.refused)  # a yes/no answer: its verdict alone
    each = cited_each(answer, question["evidence_list"]) if kind == "yes/no" else None
    reason = answer.decline_reason or (Decline("unrecorded", "") if answer.refused else Decline("", ""))
    return Scored(
        query=question["query"],
        type=question["question_type"].removesuffix("_query"),
        gold=gold,
        kind=kind,
        answer=answer.text,
        raw=reply.raw,
        refused=answer.refused,
        decline_code=reason.code,
        decline_reason=reason.reason,
        signals=list(answer.signals),
        cited_outlets=list(dict.fromkeys(c.passage.outlet for c in answer.citations)),
        excerpt_words=sum(len(e.split()) for e in answer.excerpts),
        scores={
            "strict": right and each is not False,  # a yes/no verdict counts when it cites each source
            "verdict": right if kind == "yes/no" else None,
            "cited_each": each,
            "paper": paper_correct(answer.text, gold, refused=answer.refused),
            "raw_strict": strict(reply.raw, gold, kind, refused=_model_declined(reply.raw)),
            "context_recall": recall(facts, answer.excerpts),
            "passage_recall": recall(facts, [p.text for p in answer.passages]),
        },
        first_token_s=reply.first_token_s,
        total_s=reply.total_s,
    )


def _model_declined(raw: str) -> bool:
    """Trusting the model: no reply at all (the engine declined before asking), or a reply that declines."""
    return not raw.strip() or looks_like_refusal(raw)


def summarise(items: list[Scored]) -> dict[str, Any]:
    """Rows per type, over answerable types and overall; declines by code; what each signal buys and costs."""
    groups = {t: [i for i in items if i.type == t] for t in (t.removesuffix("_query") for t in TYPES)}
    groups = {t: g for t, g in groups.items() if g} | {
        "answerable": [i for i in items if i.kind != "null"],
        "overall": items,
    }
    return {
        "rows": {name: _metrics(group) for name, group in groups.items()},
        "declines": report.declines(
            {name: [i.decline_code if i.refused else None for i in g] for name, g in groups.items()}
        ),
        "signals": _signals(items),
        "items": [asdict(i) for i in items],
    }


def _metrics(items: list[Scored]) -> dict[str, float | int | None]:
    answerable = [i for i in items if i.kind != "null"]
    yes_no = [i for i in items if i.kind == "yes/no"]
    first, total = [i.first_token_s for i in items], [i.total_s for i in items]
    return {
        "n": len(items),
        "strict": mean(_values(items, "strict")),
        "strict_entity": mean(_values([i for i in items if i.kind == "entity"], "strict")),
        "strict_yes_no": mean(_values(yes_no, "strict")),
        "yes_no_verdict": mean(_values(yes_no, "verdict")),
        "yes_no_cited_each": mean(_values(yes_no, "cited_each")),
        "paper": mean(_values(items, "paper")),
        "raw_strict": mean(_values(items, "raw_strict")),
        "declined": mean(i.refused for i in items),
        "answerable_declined": mean(i.refused for i in answerable),
        "null_declined": mean(i.refused for i in items if i.kind == "null"),
        "context_recall": mean(_values(answerable, "context_recall")),
        "passage_recall": mean(_values(answerable, "passage_recall")),
        "first_token_p50_s": percentile(first, 50),
        "first_token_p95_s": percentile(first, 95),
        "total_p50_s": percentile(total, 50),
        "total_p95_s": percentile(total, 95),
    }


def _values(items: list[Scored], key: str) -> list[float]:
    return [float(value) for i in items if (value := i.scores[key]) is not None]


def _signals(items: list[Scored]) -> dict[str, dict[str, int]]:
    """Per signal, how often it fired on null questions, on answerable ones the raw reply got right, and
    on the other answerable ones; the last row holds the size of each group."""
    groups = {
        "null": [i.signals for i in items if i.kind == "null"],
        "raw_correct": [i.signals for i in items if i.kind != "null" and i.scores["raw_strict"]],
        "other": [i.signals for i in items if i.kind != "null" and not i.scores["raw_strict"]],
    }
    return report.fired(groups, SIGNALS)


def run_answers(
    folder: Path,
    out: Path,
    settings: Settings,
    *,
    split: str = "test",
    per_type: int = 100,
    seed: int = 0,
    llm: LLM | None = None,
) -> dict[str, Any]:
    """Pick the questions, ingest the corpus if needed, ask, score, write the reports; returns the overall
    row. `llm` replaces the configured model (tests pass a scripted one)."""
    if split not in SPLITS or per_type < 1:
        raise AssistantError(f"--split must be one of {', '.join(SPLITS)} and --per-type at least 1.")
    corpus, queries = benchmark_files(folder)
    questions = pick(load_questions(queries), split=split, per_type=per_type, seed=seed)
    if not questions:
        raise AssistantError(f"{queries} has no questions of the types {', '.join(TYPES)} in the {split} split.")
    settings = benchmark_settings(settings)
    recover_store(settings)  # as the app does, before opening a store whose damaged index could crash it
    assistant = Assistant.from_settings(settings, llm=llm)
    ingest_corpus(corpus, assistant.retriever, settings)
    items = [score(q, ask(assistant, q["query"])) for q in tqdm(questions, desc="Asking", unit="question")]
    data = summarise(items) | {
        "split": split,
        "per_type": per_type,
        "seed": seed,
        "paper": _paper_rows(folder),
        "settings": report.settings_summary(settings, assistant),
    }
    _write(out, data)
    return dict(data["rows"]["overall"])


def _paper_rows(folder: Path) -> dict[str, dict[str, float]]:
    table = published(folder, "table6_generation_accuracy")
    return {
        f"paper: {model}": {"retrieved_chunk": values[0], "ground_truth_chunk": values[1]}
        for model, values in table.items()
        if model != "columns"
    }


def _write(out: Path, data: dict[str, Any]) -> None:
    rows, settings = data["rows"], data["settings"]
    results = report.table(rows, COLUMNS) + (
        f"\n\nSplit {data['split']}, up to {data['per_type']} questions a type, seed {data['seed']}; model "
        f"{settings['model'] or settings['llm']}, chunks of ≤{settings['chunk_tokens']} tokens (overlap "
        f"{settings['chunk_overlap']}), top {settings['top_k']} passages (the paper: 256-token chunks, overlap "
        "200, top 6 after a reranker). Raw strict: the model's reply as if the engine had not declined it."
    )
    ours = {"ours: the paper's rule, over our retrieved passages": {"retrieved_chunk": rows["overall"]["paper"]}}
    codes = [(code, code) for code in data["declines"]["overall"]]
    chart = report.bar_chart(out / "multihop-answers.png", rows, CHART_COLUMNS, title="MultiHop-RAG answers")
    tables = [
        ("Results", results),
        (
            "Beside the paper's Table 6 (generation accuracy, its lenient rule)",
            report.table(ours | data["paper"], PAPER_COLUMNS),
        ),
        ("Declines by reason", report.table(data["declines"], codes) if codes else "No question was declined."),
        ("Decline signals: how often each fired", report.table(data["signals"], SIGNAL_COLUMNS)),
    ]
    report.write(out, title="MultiHop-RAG answers, end to end", data=data, tables=tables, chart=chart)
    print(results)
    print(f"\nWrote {out / 'report.json'}, {out / 'report.md'} and {chart}.")
