"""Thumbs up/down on answers, kept as JSONL under the data dir, and turned into Q&A items for evaluation.

`python -m assistant.presentation.feedback --to-qa OUT.jsonl` writes one item per liked answer in the format of
`tests/data/qa.jsonl`: a liked answer becomes a factoid (or follow-up) item whose acceptable answer is
the reply's first sentence and whose evidence is the passage sentence each citation rests on; a liked
refusal becomes an unanswerable item. Disliked answers are counted, not converted: what the right answer
is needs a person. Review the items before using them as a gold set.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.grounding.citations import strip_markers
from assistant.presentation.render import supporting_sentence
from assistant.text import split_sentences
from assistant.types import Answer

FILE_NAME = "feedback.jsonl"


def record(
    data_dir: Path, *, liked: bool, question: str, history: Sequence[Sequence[str]], answer: Answer
) -> dict[str, Any]:
    """Append one rating to `data_dir/feedback.jsonl`; returns the stored record."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rating": "up" if liked else "down",
        "question": question,
        "history": [list(turn) for turn in history],
        "answer": answer.to_dict(),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / FILE_NAME).open("a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def read(path: Path) -> Iterator[dict[str, Any]]:
    """The stored ratings (lines that are not JSON objects are skipped)."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("answer"), dict):
            yield entry


def to_qa_item(entry: dict[str, Any], number: int) -> dict[str, Any] | None:
    """A Q&A item for `assistant.evaluate --qa` from a liked answer; None for a disliked one."""
    if entry.get("rating") != "up":
        return None
    answer = Answer.from_dict(entry["answer"])
    history = entry.get("history") or []
    kind = "unanswerable" if answer.refused else ("followup" if history else "factoid")
    sentences = split_sentences(answer.text)
    evidence = [supporting_sentence(c) for c in answer.citations]
    return {
        "id": f"feedback-{number:03d}",
        "type": kind,
        "question": entry["question"],
        "history": history,
        "answers": [] if answer.refused or not sentences else [strip_markers(sentences[0]).strip()],
        "sources": [] if answer.refused else sorted({c.passage.source_id for c in answer.citations}),
        "evidence": [] if answer.refused else [e for e in evidence if e],
    }


def main(argv: list[str] | None = None) -> int:
    """`python -m assistant.presentation.feedback --to-qa OUT.jsonl [--feedback PATH]`."""
    parser = argparse.ArgumentParser(description="Turn thumbs-up answers into Q&A items for evaluation.")
    parser.add_argument("--to-qa", type=Path, required=True, help="where to write the Q&A items (JSONL)")
    parser.add_argument("--feedback", type=Path, help=f"ratings file (default: DATA_DIR/{FILE_NAME})")
    args = parser.parse_args(argv)
    source = args.feedback or Settings.from_env().data_dir / FILE_NAME
    entries = list(read(source))
    items = [item for n, e in enumerate(entries, start=1) if (item := to_qa_item(e, n))]
    args.to_qa.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    print(f"{len(items)} Q&A items written to {args.to_qa}; {len(entries) - len(items)} disliked left for review.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
