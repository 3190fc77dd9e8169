"""Citation parsing and checking: every answer sentence is verified against the passages before it is shown.

`check_citations` asks the verifier (`assistant/grounding/verify.py`) whether a sentence of a passage
states each answer sentence: the passages the sentence cites first, then the others (a citation moves
to the passage that verifies it). A sentence that no passage verifies is left out of the answer, and so
is one a passage contradicts; `render` writes the rest with their markers. Which passage sentences are
judged, and in what order, is the caller's (`candidates`). It does not check a sentence that joins facts
of two passages as a whole: each passage sentence is judged alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.grounding.verify import Evidence, Verifier, settle, verdict
from assistant.text import MARKER, split_sentences

#: Passage sentences judged at most for one answer sentence (each is one forward pass of the model).
BUDGET = 3


@dataclass(frozen=True)
class CheckedSentence:
    """One answer sentence with the passage numbers that verify it (empty: not shown), the verifier's
    probability, the passage sentence that verified it, and whether a passage contradicted it."""

    text: str
    cited: tuple[int, ...]
    support: float
    evidence: str = ""
    contradicted: bool = False


#: The passage sentences to judge an answer sentence by, best first: (its index, its text, its markers).
Candidates = Callable[[int, str, tuple[int, ...]], Iterable[Evidence]]


def parse_markers(text: str) -> list[int]:
    """All passage numbers cited in `text`, in order of appearance (`[1]`, `[2, 3]`, `[2][3]`)."""
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        numbers.extend(int(n) for n in re.split(r"\s*[,;]\s*", match.group(1)))
    return numbers


def strip_markers(text: str) -> str:
    """`text` without any `[n]` markers."""
    return MARKER.sub("", text).strip()


def check_citations(
    answer: str, candidates: Candidates, verifier: Verifier, *, budget: int = BUDGET, support: float | None = None
) -> list[CheckedSentence]:
    """Each sentence of `answer`, verified (at `support`, else the verifier's bar) against at most `budget`
    of its candidates (see the module)."""
    checked = []
    for i, sentence in enumerate(split_sentences(answer)):
        claim = strip_markers(sentence)
        cited = tuple(dict.fromkeys(parse_markers(sentence)))
        made = settle(verifier, claim, candidates(i, claim, cited), budget=budget, support=support)
        outcome, judgement = verdict(verifier, made, support=support)
        if outcome == "supports" and judgement is not None:
            evidence = judgement.evidence
            checked.append(CheckedSentence(claim, (evidence.n,), judgement.supports, evidence.sentence))
        else:
            checked.append(CheckedSentence(claim, (), 0.0, contradicted=outcome == "contradicts"))
    return checked


def render(sentences: Sequence[CheckedSentence]) -> str:
    """The answer from its verified sentences, each marker before the closing punctuation; a sentence
    no passage verifies is dropped (it would be a claim with no source)."""
    parts = []
    for sentence in sentences:
        if not sentence.cited:
            continue
        markers = "".join(f"[{n}]" for n in sentence.cited)
        body, end = _split_end(sentence.text)
        parts.append(f"{body} {markers}{end}")
    return " ".join(parts)


def _split_end(text: str) -> tuple[str, str]:
    """(body, closing punctuation); a sentence ending in a quotation keeps it whole, the marker goes after."""
    match = re.search(r"[.!?…][\"'”’)]*$", text)
    if not match or len(match.group()) > 1:
        return text, ""
    return text[: match.start()].rstrip(), match.group()
