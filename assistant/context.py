"""Choosing what the model reads: the sentences of the retrieved passages that matter to the question.

Every prompt token costs the reader time on a small CPU, so each passage is cut to its sentences most
related to the question (embedding similarity plus word overlap), within a word budget, best first.
Passage numbers do not change; readers still see whole passages. Sentences that address the model
(ignore your rules, reveal your prompt, include this image or script) are never shown to it: a small
model can follow them despite the system prompt. It does not rewrite or summarise text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations import content_words, split_sentences
from assistant.types import Passage

GAP = " … "
MIN_WORDS = 4  # what is left of a cut sentence, shorter than this, is dropped
_INSTRUCTION = re.compile(  # written for news text: "its AI assistant" or "ignore the rules of thumb" stay
    r"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(of\s+)?(your|previous|prior|above|earlier|"
    r"the\s+(previous|above|prior|earlier))\b.{0,30}\b(rules|instructions|prompts?|guidelines)\b"
    r"|\b(print|reveal|repeat|show|output)\b.{0,30}\byour\s+(system\s+)?(rules|instructions|prompt)\b"
    r"|\b(notice|note|message|instructions?)\s+(to|for)\s+(the\s+)?(AI|assistant|chatbot|language model)\b"
    r"|^\W*(AI|assistant|system)\s*:"
    r"|\bwhen(ever)?\s+you\s+(answer|reply|respond)\b|\b(reply|respond|answer)\s+only\s+with\b"
    r"|!\[[^\]]*\]\(|<\s*(script|iframe|img|form)\b|javascript:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Excerpt:
    """The part of passage `n` the model reads."""

    n: int
    passage: Passage
    text: str


def passage_sentences(passages: Sequence[Passage]) -> list[list[str]]:
    """Each passage split into sentences, each cut where it starts giving the model instructions
    (markup is no sentence boundary, so "…said. <script>… Ignore your rules" keeps "…said.")."""
    split = [split_sentences(p.text.replace("\n\n", " ")) or [p.text] for p in passages]
    return [[kept for kept in map(_informing_part, row) if kept] or [""] for row in split]


def _informing_part(sentence: str) -> str:
    """`sentence` up to where it addresses the model; empty when little is left."""
    match = _INSTRUCTION.search(sentence)
    kept = sentence if match is None else sentence[: match.start()].rstrip()
    return kept if len(kept.split()) >= MIN_WORDS or match is None else ""


def addresses_the_model(sentence: str) -> bool:
    """True for text written to steer an AI reader rather than to inform a human one."""
    return bool(_INSTRUCTION.search(sentence))


def select(
    question: str,
    passages: Sequence[Passage],
    sentences: Sequence[Sequence[str]],
    similarity: Sequence[Sequence[float]],
    *,
    budget_words: int,
) -> list[Excerpt]:
    """Excerpts of `passages` holding their most relevant sentences, about `budget_words` words in all.

    `similarity[i][j]` is the cosine between the question and sentence j of passage i. Every passage
    keeps at least its best sentence, so no passage number is empty; inside an excerpt the sentences
    run best first (a small model tends to answer from the first sentence it reads), joined by " … ".
    """
    asked = content_words(question)
    scored = sorted(
        (
            (float(similarity[i][j]) + len(asked & content_words(sentence)) / max(1, len(asked)), i, j)
            for i, row in enumerate(sentences)
            for j, sentence in enumerate(row)
        ),
        reverse=True,
    )
    chosen: dict[int, list[str]] = {i: [] for i in range(len(passages))}
    used = 0
    for _, i, j in scored:
        words = len(sentences[i][j].split())
        if used + words <= budget_words or not chosen[i]:
            chosen[i].append(sentences[i][j])
            used += words
    return [Excerpt(n=i + 1, passage=passages[i], text=GAP.join(chosen[i])) for i in range(len(passages))]


def cosine_rows(question_vector: np.ndarray, sentence_vectors: np.ndarray, sizes: Sequence[int]) -> list[list[float]]:
    """Question-to-sentence cosines, regrouped per passage (`sizes` sentences each)."""
    flat = (sentence_vectors @ question_vector).tolist()
    rows, start = [], 0
    for size in sizes:
        rows.append(flat[start : start + size])
        start += size
    return rows
