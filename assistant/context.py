"""Choosing what the model reads: the sentences of the retrieved passages that matter to the question.

Every prompt token costs the reader time on a small CPU, so each passage is cut to its sentences most
related to the question (embedding similarity plus word overlap), within a token budget, kept in their
original order. Passage numbers do not change; readers still see whole passages. It does not rewrite
or summarise text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations import content_words, split_sentences
from assistant.types import Passage

GAP = " … "


@dataclass(frozen=True)
class Excerpt:
    """The part of passage `n` the model reads."""

    n: int
    passage: Passage
    text: str


def passage_sentences(passages: Sequence[Passage]) -> list[list[str]]:
    """Each passage split into sentences."""
    return [split_sentences(p.text.replace("\n\n", " ")) or [p.text] for p in passages]


def select(
    question: str,
    passages: Sequence[Passage],
    sentences: Sequence[Sequence[str]],
    similarity: Sequence[Sequence[float]],
    *,
    budget_words: int,
) -> list[Excerpt]:
    """Excerpts of `passages` holding their best sentences, about `budget_words` words in all.

    `similarity[i][j]` is the cosine between the question and sentence j of passage i. The best
    sentence of every passage is always kept so that no passage number is empty.
    """
    asked = content_words(question)
    scored = []
    for i, row in enumerate(sentences):
        for j, sentence in enumerate(row):
            overlap = len(asked & content_words(sentence)) / max(1, len(asked))
            scored.append((float(similarity[i][j]) + overlap, i, j))
    scored.sort(reverse=True)
    chosen: set[tuple[int, int]] = set()
    for i, row in enumerate(sentences):
        best = max(range(len(row)), key=lambda j: float(similarity[i][j]))
        chosen.add((i, best))
    used = sum(len(sentences[i][j].split()) for i, j in chosen)
    for _, i, j in scored:
        words = len(sentences[i][j].split())
        if (i, j) not in chosen and used + words <= budget_words:
            chosen.add((i, j))
            used += words
    return [
        Excerpt(n=i + 1, passage=passages[i], text=_join(row, {j for k, j in chosen if k == i}))
        for i, row in enumerate(sentences)
    ]


def cosine_rows(question_vector: np.ndarray, sentence_vectors: np.ndarray, sizes: Sequence[int]) -> list[list[float]]:
    """Question-to-sentence cosines, regrouped per passage (`sizes` sentences each)."""
    flat = (sentence_vectors @ question_vector).tolist()
    rows, start = [], 0
    for size in sizes:
        rows.append(flat[start : start + size])
        start += size
    return rows


def _join(sentences: Sequence[str], keep: set[int]) -> str:
    parts = []
    for j, sentence in enumerate(sentences):
        if j in keep:
            if j > 0 and j - 1 not in keep:
                parts.append(GAP.strip())
            parts.append(sentence)
    if len(sentences) - 1 not in keep:
        parts.append(GAP.strip())
    return " ".join(parts)
