"""How the evaluations score a reply: the benchmarks' matching rules (case, quotes, whitespace) and summary statistics.

These follow the benchmarks' published rules, so they stay apart from the product's text toolkit (`assistant.text`)."""

from __future__ import annotations

import re
import statistics
import string
from collections.abc import Iterable, Sequence

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "})


def normalise(text: str) -> str:
    """Case-folded, straight quotes and dashes, single spaces."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES).casefold()).strip()


def squeeze(text: str) -> str:
    """`normalise` with all whitespace removed (the MultiHop-RAG fact rule)."""
    return re.sub(r"\s+", "", normalise(text))


def contains(haystack: str, needle: str) -> bool:
    """True when `needle` occurs in `haystack`, ignoring case, quote style and whitespace."""
    return bool(needle) and squeeze(needle) in squeeze(haystack)


def loose_words(text: str) -> set[str]:
    """The words of `normalise(text)` split on whitespace, punctuation stripped from their ends."""
    return {w for w in (w.strip(string.punctuation) for w in normalise(text).split()) if w}


def mean(values: Iterable[float]) -> float | None:
    """The mean of `values` (booleans count as 0 and 1); None for no values."""
    values = list(values)
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))])
