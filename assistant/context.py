"""Choosing what the model reads: the sentences of the retrieved passages that matter to the question.

Every prompt token costs the reader time on a small CPU, so each passage is cut to its sentences most
related to the question (embedding similarity plus word overlap), within a word budget, best first.
Passage numbers do not change; readers still see whole passages. It does not rewrite
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
