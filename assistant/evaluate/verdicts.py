"""Verdicts: a balanced set of yes/no and attribution questions asked end to end, each reply right, wrong,
hedged or declined.

An item is `{"id", "corpus", "kind", "question", "expected", "accept", "options", "made", "source", "evidence"}`;
corpus "seeds" is asked of the seed articles, "multihop" of the MultiHop-RAG corpus, one model serving both.
Scoring is by string rules on the engine's verdict (without one, the reply's first sentence), not by a
judge model; it does not check that a right verdict cites the item's evidence, nor credit a paraphrased name.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.evaluate import report
from assistant.evaluate.answers import Reply, ask, yes_or_no
from assistant.evaluate.multihop import benchmark_files, benchmark_settings, ingest_corpus
from assistant.evaluate.scoring import mean, normalise, percentile
from assistant.generation.llm import LLM, llm_from_settings
from assistant.grounding.citations import strip_markers
from assistant.text import split_sentences
from assistant.types import Answer
from ingest.index import ensure_seeded
from ingest.recover import recover_store

CORPORA = ("seeds", "multihop")
KINDS = ("yes_no", "attribution")
OUTCOMES = ("right", "wrong", "hedged", "declined")
_REQUIRED = ("id", "corpus", "kind", "question", "expected")
_TIMES = [("first_token_p50_s", "first token p50 s"), ("total_p50_s", "total p50 s")]
COLUMNS = [(key, key) for key in (*OUTCOMES, "n")] + _TIMES
ITEM_COLUMNS = [
    (key, key) for key in ("question", "expected", "verdict", "outcome", "decline_code", "answer", "cited", "evidence")
]


@dataclass(frozen=True)
class Item:
    """One question and the verdict a right reply gives."""

    id: str
    corpus: str
    kind: str
    question: str
    expected: str
    accept: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    made: str = ""
    source: str = ""
    evidence: str = ""

    @property
    def accepted(self) -> list[str]:
        """The names a right attribution gives: the expected one and those in `accept`."""
        return list(dict.fromkeys([self.expected, *self.accept]))


@dataclass(frozen=True, kw_only=True)
class Row(Item):
    """One item, what the engine said, and its outcome; `cited` holds, per citation, the passage sentence
    that verified it (the answer sentence when none was recorded)."""

    verdict: str
    outcome: str
    answer: str
    decline_code: str
    cited: list[str]
    first_token_s: float
    total_s: float


def load_items(path: Path) -> list[Item]:
    """Read a JSONL verdict set; a malformed line stops the run with its line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AssistantError(f"{path}: cannot be read ({error.strerror}).") from None
    items: list[Item] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _item(json.loads(line))
        except (ValueError, TypeError) as error:
            raise AssistantError(f"{path}:{number}: not a verdict item ({error}).") from None
        if any(i.id == item.id for i in items):
            raise AssistantError(f"{path}:{number}: the id {item.id!r} is used twice.")
        items.append(item)
    if not items:
        raise AssistantError(f"{path}: holds no items.")
    return items


def _item(data: Any) -> Item:
    if not isinstance(data, dict):
        raise TypeError("a line must be a JSON object")
    if missing := [f for f in _REQUIRED if not isinstance(data.get(f), str) or not data[f].strip()]:
        raise ValueError(f"{', '.join(missing)} must be non-empty text")
    lists = {f: data.get(f, []) for f in ("accept", "options")}
    if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in lists.values()):
        raise TypeError("accept and options must be lists of text")
    item = Item(**{k: data[k] for k in data if k in Item.__dataclass_fields__})
    if item.corpus not in CORPORA or item.kind not in KINDS:
        raise ValueError(f"corpus must be one of {', '.join(CORPORA)} and kind one of {', '.join(KINDS)}")
    if item.kind == "yes_no" and normalise(item.expected) not in ("yes", "no"):
        raise ValueError(f"a yes_no item expects yes or no, not {item.expected!r}")
    return item


def outcome(item: Item, answer: Answer) -> str:
    """'declined' when refused; else 'right', 'wrong' or 'hedged' by the item's kind (module docstring)."""
    if answer.refused:
        return "declined"
    verdict = normalise(answer.verdict)
    if item.kind == "yes_no":
        said = verdict if verdict in ("yes", "no") else None if answer.hedged else yes_or_no(answer.text)
        return "hedged" if said is None else "right" if said == normalise(item.expected) else "wrong"
    if verdict:
        return "right" if any(_names(verdict, n) for n in item.accepted) else "wrong"
    if answer.hedged:
        return "hedged"
    sentences = split_sentences(answer.text)
    first = strip_markers(sentences[0]) if sentences else ""
    if any(_names(first, n) for n in item.accepted):
        return "right"
    accepted = {normalise(n) for n in item.accepted}
    return "wrong" if any(_names(first, o) for o in item.options if normalise(o) not in accepted) else "hedged"


def _names(text: str, name: str) -> bool:
    """`name` occurs in `text` as whole words, both normalised (so "AP" is not found in "apparently")."""
    needle = normalise(name)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise(text)) is not None


def score(item: Item, reply: Reply) -> Row:
    """The item's row: the verdict, the outcome, what was cited, and the times."""
    answer = reply.answer
    code = (answer.decline_reason.code if answer.decline_reason else "unrecorded") if answer.refused else ""
    return Row(
        **asdict(item),
        verdict=answer.verdict,
        outcome=outcome(item, answer),
        answer=answer.text,
        decline_code=code,
        cited=list(dict.fromkeys(f"[{c.n}] {c.evidence or c.sentence}" for c in answer.citations)),
        first_token_s=reply.first_token_s,
        total_s=reply.total_s,
    )


def summarise(rows: list[Row]) -> dict[str, Any]:
    """Rates overall and per (corpus, kind), per how the question was made, declines by code, the items."""
    pairs = sorted({(r.corpus, r.kind) for r in rows}, key=lambda p: (CORPORA.index(p[0]), KINDS.index(p[1])))
    groups = {"overall": rows} | {f"{c} {k}": [r for r in rows if (r.corpus, r.kind) == (c, k)] for c, k in pairs}
    made = {m: [r for r in rows if r.made == m] for m in sorted({r.made for r in rows})}
    return {
        "rows": {name: _rates(group) for name, group in groups.items()},
        "made": {m or "(not given)": _rates(group) for m, group in made.items()},
        "declines": report.declines({name: [r.decline_code or None for r in g] for name, g in groups.items()}),
        "items": [asdict(r) for r in rows],
    }


def _rates(rows: list[Row]) -> dict[str, float | int | None]:
    shares = {o: mean(r.outcome == o for r in rows) for o in OUTCOMES}
    return shares | {
        "n": len(rows),
        "first_token_p50_s": percentile([r.first_token_s for r in rows], 50),
        "total_p50_s": percentile([r.total_s for r in rows], 50),
    }


def run_verdicts(
    path: Path, out: Path, settings: Settings, *, multihop_dir: Path, limit: int | None = None, llm: LLM | None = None
) -> dict[str, Any]:
    """Load the set, ask every item of the corpus it names, score, write the reports; returns the overall
    row. `llm` replaces the configured model (tests pass a scripted one)."""
    items = load_items(path)[:limit]
    corpora = {i.corpus for i in items}
    corpus = benchmark_files(multihop_dir)[0] if "multihop" in corpora else None  # before the model loads
    llm = llm or llm_from_settings(settings)
    assistants = {c: _assistant(settings, llm, corpus if c == "multihop" else None) for c in CORPORA if c in corpora}
    rows = [score(i, ask(assistants[i.corpus], i.question)) for i in tqdm(items, desc="Asking", unit="question")]
    data = summarise(rows) | {
        "verdict_set": str(path),
        "settings": report.settings_summary(settings, next(iter(assistants.values()))),
    }
    write(out, data, path)
    return dict(data["rows"]["overall"])


def _assistant(settings: Settings, llm: LLM, multihop: Path | None) -> Assistant:
    """The seeds in the configured store (as `--qa` has them) or, given the MultiHop-RAG corpus.json, that
    corpus in the benchmark's collection (as `--multihop-answers` has it)."""
    settings = settings if multihop is None else benchmark_settings(settings)
    recover_store(settings)  # as the app does, before opening a store whose damaged index could crash it
    assistant = Assistant.from_settings(settings, llm=llm)
    if multihop is None:
        ensure_seeded(assistant.store, assistant.retriever.embedder, settings)
    else:
        ingest_corpus(multihop, assistant.retriever, settings)
    return assistant


def write(out: Path, data: dict[str, Any], path: Path) -> None:
    """report.json (`data`) and report.md: the rates, by how questions were made, declines, every item."""
    results = report.table(data["rows"], COLUMNS)
    codes = [(code, code) for code in data["declines"]["overall"]]
    items = {i["id"]: i for i in data["items"]}
    tables = [
        ("Results", results),
        ("By how the question was made", report.table(data["made"], COLUMNS)),
        ("Declines by reason", report.table(data["declines"], codes) if codes else "No question was declined."),
        ("Items", report.table(items, ITEM_COLUMNS)),
    ]
    report.write(out, title=f"Verdicts: {path.name}", data=data, tables=tables)
    print(results)
    print(f"\nWrote {out / 'report.json'} and {out / 'report.md'}.")
