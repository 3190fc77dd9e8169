"""Verification: does one sentence of an article state a claim, contradict it, or not say?

A small model guesses when asked for a verdict over a whole context, and judges one claim against one
sentence far better; so that is all it is asked. `ModelVerifier` reads the model's next-token
log-probabilities of TRUE / FALSE / UNKNOWN (normalised over the three) after a short prompt naming the
sentence's outlet and author, so a claim given to the wrong outlet can be told apart.
A judgement is settled only above a threshold chosen on tune data; below it the claim is unverified.
It does not pick the sentences to judge (the callers rank them) and it does not combine sentences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from assistant.generation.llm import LLM
from assistant.generation.prompts import Prompts
from assistant.types import Passage

LABELS = ("TRUE", "FALSE", "UNKNOWN")
ANSWERS = ("YES", "NO", "UNKNOWN")  # a yes/no question judged against a sentence: YES supports, NO contradicts
#: Probabilities (over the three labels) at which a judgement counts, chosen on tests/data/verdicts.jsonl.
SUPPORT = 0.8
CONTRADICT = 0.5
DOUBT = 0.4  # a yes/no verdict is withheld when a judged sentence leans FALSE at this much
ATTRIBUTE = 0.5  # "who reported it": the article whose sentence reaches this, above every other outlet's


@dataclass(frozen=True)
class Evidence:
    """One sentence of a passage, and the passage's number in the answer (0 when it has none)."""

    sentence: str
    passage: Passage
    n: int = 0

    @property
    def source(self) -> str:
        """Who published it, as the verifier is told: 'Outlet, by Author' (the title without either)."""
        outlet = self.passage.outlet or f"“{self.passage.title}”"
        return f"{outlet}, by {self.passage.author}" if self.passage.author else outlet


@dataclass(frozen=True)
class Judgement:
    """What one sentence says of one claim: the probabilities of supports and contradicts."""

    evidence: Evidence
    supports: float
    contradicts: float

    def label(self, *, support: float = SUPPORT, contradict: float = CONTRADICT) -> str:
        """'supports' at `support`, 'contradicts' at `contradict` when FALSE also outweighs TRUE, else 'unknown'."""
        if self.supports >= support:
            return "supports"
        if self.contradicts >= contradict and self.contradicts > self.supports:
            return "contradicts"
        return "unknown"


class Verifier(Protocol):
    """Judges one claim against one evidence sentence."""

    support: float
    contradict: float
    doubt: float
    attribute: float

    def judge(self, claim: str, evidence: Evidence) -> Judgement:
        """The judgement of `claim` by `evidence`."""
        ...

    def answer(self, question: str, evidence: Evidence) -> Judgement:
        """The judgement of a yes/no `question` by `evidence` (supports: yes; contradicts: no)."""
        ...


class ModelVerifier:
    """The configured LLM as the judge: one forward pass a judgement (the chat template's fixed start is the
    cached prefix the judgements share)."""

    def __init__(
        self,
        llm: LLM,
        prompts: Prompts,
        *,
        support: float = SUPPORT,
        contradict: float = CONTRADICT,
        doubt: float = DOUBT,
        attribute: float = ATTRIBUTE,
    ) -> None:
        self.llm = llm
        self.prompts = prompts
        self.support = support
        self.contradict = contradict
        self.doubt = doubt
        self.attribute = attribute

    def judge(self, claim: str, evidence: Evidence) -> Judgement:
        prompt = self.prompts.render(
            "verify", source=_plain(evidence.source), sentence=_plain(evidence.sentence), claim=_plain(claim)
        )
        return self._judged(prompt, evidence, LABELS)

    def answer(self, question: str, evidence: Evidence) -> Judgement:
        prompt = self.prompts.render(
            "verify_question",
            source=_plain(evidence.source),
            sentence=_plain(evidence.sentence),
            question=_plain(question),
        )
        return self._judged(prompt, evidence, ANSWERS)

    def _judged(self, prompt: str, evidence: Evidence, labels: tuple[str, str, str]) -> Judgement:
        """The model's first-token probabilities of `labels` (for, against, neither), normalised over them."""
        logprobs = self.llm.choose([{"role": "user", "content": prompt}], labels)
        weights = [math.exp(logprobs[label]) if logprobs[label] > -math.inf else 0.0 for label in labels]
        total = sum(weights) or 1.0
        return Judgement(evidence, weights[0] / total, weights[1] / total)


def settle(
    verifier: Verifier,
    claim: str,
    candidates: Iterable[Evidence],
    *,
    budget: int,
    until_support: bool = True,
    question: bool = False,
    support: float | None = None,
) -> list[Judgement]:
    """Judge `claim` (a yes/no question when `question`) against the candidates in order, at most `budget`
    of them, stopping at the first that supports it (at `support`, else the verifier's) when `until_support`;
    the judgements made, in order."""
    bar = verifier.support if support is None else support
    judge = verifier.answer if question else verifier.judge
    made: list[Judgement] = []
    for evidence in candidates:
        if len(made) >= budget:
            break
        judgement = judge(claim, evidence)
        made.append(judgement)
        if until_support and judgement.label(support=bar, contradict=verifier.contradict) == "supports":
            break
    return made


def verdict(
    verifier: Verifier, judgements: Iterable[Judgement], *, doubt: float = 1.0, support: float | None = None
) -> tuple[str, Judgement | None]:
    """The settled outcome of `judgements`: ('supports', the most confident support) unless one of them
    leans to FALSE at `doubt` or more (then 'unknown'); else ('contradicts', the most confident
    contradiction); else ('unknown', None)."""
    made = list(judgements)
    bar = verifier.support if support is None else support
    labels = [j.label(support=bar, contradict=verifier.contradict) for j in made]
    backing = [j for j, label in zip(made, labels, strict=True) if label == "supports"]
    against = [j for j, label in zip(made, labels, strict=True) if label == "contradicts"]
    if backing:
        doubted = any(j.contradicts >= doubt and j.contradicts > j.supports for j in made)
        return ("unknown", None) if doubted else ("supports", max(backing, key=lambda j: j.supports))
    if against:
        return "contradicts", max(against, key=lambda j: j.contradicts)
    return "unknown", None


def _plain(text: str) -> str:
    """One line, straight double quotes turned into single ones, so a sentence cannot close its own quotation."""
    return " ".join(text.split()).replace('"', "'")
