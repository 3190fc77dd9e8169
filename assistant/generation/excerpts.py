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

from assistant.text import content_words, split_sentences
from assistant.types import Passage

GAP = " … "
MAX_ARTICLES = 3  # a question about several articles reads up to this many budgets, one per article
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

# Questions about more than one article ("both", "compare", "across the articles", "…, and who wrote the other").
# A sentence opening with these goes on from the one before; it is read right after that one when it fits.
_CONTINUES = re.compile(r"^\W*(that|this|these|those|it|they|he|she|however|but|yet)\b", re.IGNORECASE)
_NEXT = 1e-6


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
    return [[kept for kept in map(informing_part, row) if kept] or [""] for row in split]


def informing_part(sentence: str) -> str:
    """`sentence` up to where it addresses the model; empty when little is left."""
    match = _INSTRUCTION.search(sentence)
    kept = sentence if match is None else sentence[: match.start()].rstrip()
    return kept if len(kept.split()) >= MIN_WORDS or match is None else ""


def select(
    question: str,
    passages: Sequence[Passage],
    sentences: Sequence[Sequence[str]],
    similarity: Sequence[Sequence[float]],
    *,
    budget_words: int,
    floor: float = 0.0,
    second_floor: float = 0.0,
    several: bool = False,
) -> list[Excerpt]:
    """Excerpts of the passages worth reading, holding their most relevant sentences, about
    `budget_words` words in all, numbered 1.. in the order of `passages`.

    `similarity[i][j]` is the cosine between the question and sentence j of passage i; a sentence scores
    that plus the share of the question's words it holds. A passage is read when its best sentence
    scores at least `floor` of the best sentence overall; the best passage of the second article down
    to `second_floor` of it (an unrelated second article costs about 50 of 220 prompt tokens, read
    before the first word). When the question is about several articles (`several`) every passage is read and
    the budget is `budget_words` for each article, up to `MAX_ARTICLES` of them. Each passage keeps its best
    sentence; inside an excerpt the sentences run best first (a small model tends to answer from the
    first sentence it reads), joined by " … ". A sentence that goes on from the one before it ("That
    may be the tip of the iceberg…") scores at least as that one does, just below it.
    """
    asked = content_words(question)
    scores = [
        [
            float(similarity[i][j]) + len(asked & content_words(sentence)) / max(1, len(asked))
            for j, sentence in enumerate(row)
        ]
        for i, row in enumerate(sentences)
    ]
    for row, texts in zip(scores, sentences, strict=True):
        for j in range(1, len(row)):  # "That may be the tip of the iceberg: 700 are missing" goes on from j - 1
            if _CONTINUES.match(texts[j]):
                row[j] = max(row[j], row[j - 1] - _NEXT)
    best = [max(row, default=0.0) for row in scores]
    top = max(best, default=0.0)
    leading: dict[str, int] = {}  # article -> its best passage, for the two best articles
    for i in sorted(range(len(passages)), key=lambda i: -best[i]):
        if len(leading) < 2:
            leading.setdefault(passages[i].source_id, i)
    if several:  # each article the question may be about is read, with a budget of its own
        read = list(range(len(passages)))
        budget_words *= min(MAX_ARTICLES, len({passages[i].source_id for i in read}))
    else:
        lower = min(floor, second_floor) * top  # the best is above `floor`
        read = [i for i in range(len(passages)) if best[i] >= (lower if i in leading.values() else floor * top)]
    chosen: dict[int, list[str]] = {i: [] for i in read}
    used = 0
    ranked = sorted(((scores[i][j], i, j) for i in read for j in range(len(sentences[i]))), reverse=True)
    for _, i, j in ranked:
        words = len(sentences[i][j].split())
        if used + words <= budget_words or not chosen[i]:
            chosen[i].append(sentences[i][j])
            used += words
    return [Excerpt(n=k + 1, passage=passages[i], text=GAP.join(chosen[i])) for k, i in enumerate(read)]


def by_article(excerpts: Sequence[Excerpt]) -> list[list[Excerpt]]:
    """The excerpts grouped by article, articles in order of their best excerpt, renumbered 1.. in that
    order (the prompt writes each article's title and byline once, above its passages)."""
    groups: dict[str, list[Excerpt]] = {}
    for excerpt in excerpts:
        groups.setdefault(excerpt.passage.source_id, []).append(excerpt)
    numbers = iter(range(1, len(excerpts) + 1))
    return [[Excerpt(n=next(numbers), passage=e.passage, text=e.text) for e in group] for group in groups.values()]


def cosine_rows(question_vector: np.ndarray, sentence_vectors: np.ndarray, sizes: Sequence[int]) -> list[list[float]]:
    """Question-to-sentence cosines, regrouped per passage (`sizes` sentences each)."""
    flat = (sentence_vectors @ question_vector).tolist()
    rows, start = [], 0
    for size in sizes:
        rows.append(flat[start : start + size])
        start += size
    return rows
