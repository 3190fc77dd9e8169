"""Citation parsing and checking: pure functions over text and passages.

`check_citations` keeps a `[n]` only when passage n exists and supports its sentence, moves it to the
passage that supports the sentence best otherwise (or to the two that support it together), adds one
where the model cited nothing, and marks a sentence that no passage supports as uncited; `render`
leaves such sentences out of the answer. Support is word overlap (a number or a name must appear in the
passage or the question), optionally blended with embedding similarity supplied by the caller. It does
not judge truth beyond the passages given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from assistant.text import MARKER, content_words, names, split_sentences

_YES_OR_NO = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)
#: Blend of word overlap and embedding similarity at which a passage counts as supporting a sentence.
SUPPORT_THRESHOLD = 0.5


@dataclass(frozen=True)
class CheckedSentence:
    """One answer sentence with the passage numbers that support it (empty: not presented as sourced)."""

    text: str
    cited: tuple[int, ...]
    support: float


def parse_markers(text: str) -> list[int]:
    """All passage numbers cited in `text`, in order of appearance (`[1]`, `[2, 3]`, `[2][3]`)."""
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        numbers.extend(int(n) for n in re.split(r"\s*[,;]\s*", match.group(1)))
    return numbers


def strip_markers(text: str) -> str:
    """`text` without any `[n]` markers."""
    return MARKER.sub("", text).strip()


def word_support(sentence: str, passage: str, *, given: frozenset[str] = frozenset()) -> float:
    """Share of the sentence's claim (`claim_words`) found in the passage; 0 when it has none, or when it
    states a number or a name that neither the passage nor the question (`given`, its content words)
    holds (a figure or a name is never supported by its neighbours)."""
    plain = strip_markers(sentence)
    claim = claim_words(plain, given)
    if not claim:
        return 0.0
    found = content_words(passage)
    if any(word[0].isdigit() and word not in found for word in claim):
        return 0.0
    if not _named(plain) <= found | given:
        return 0.0
    return len(claim & found) / len(claim)


def claim_words(sentence: str, given: frozenset[str] = frozenset()) -> set[str]:
    """What a sentence claims: its content words beyond the question's (`given`), or all of them when it
    adds none. "The company that is accused of harming publishers is Google" claims "google"."""
    words = content_words(sentence)
    return (words - given) or words


def check_citations(
    answer: str,
    passages: Sequence[str],
    *,
    similarity: Sequence[Sequence[float]] | None = None,
    threshold: float = SUPPORT_THRESHOLD,
    question: str = "",
) -> list[CheckedSentence]:
    """Check every sentence's markers against `passages` (1-based); see the module docstring.

    `similarity[i][j]`, when given, is the embedding cosine between sentence i and passage j. A
    sentence that only repeats words of `question` states nothing and is not presented as sourced,
    unless it opens with Yes or No: "Yes, both articles report a rise in revenue" answers by restating.
    """
    asked = content_words(question)
    given = frozenset(asked)
    checked = []
    for i, sentence in enumerate(split_sentences(answer)):
        claim = strip_markers(sentence)
        if question and content_words(claim) <= asked and not _YES_OR_NO.match(claim):
            checked.append(CheckedSentence(claim, (), 0.0))
            continue
        scores = [_support(claim, p, similarity[i][j] if similarity else None, given) for j, p in enumerate(passages)]
        valid = [n for n in dict.fromkeys(parse_markers(sentence)) if 1 <= n <= len(passages)]
        supported = _kept(claim, valid, scores, passages, threshold, given)
        if not supported and scores and max(scores) >= threshold:
            supported = (scores.index(max(scores)) + 1,)
        if not supported:  # "66 were killed [1], while Dunford put the toll at 500" joins two passages
            supported = _joined(claim, scores, passages, threshold, given)
        best = max((scores[n - 1] for n in supported), default=0.0)
        checked.append(CheckedSentence(claim, supported, best))
    return checked


def _kept(
    claim: str, cited: list[int], scores: list[float], passages: Sequence[str], threshold: float, given: frozenset[str]
) -> tuple[int, ...]:
    """Cited passages that support the claim alone, plus those that add its missing words (a sentence
    joining facts from two passages); () when even together they do not cover the claim or its numbers
    and names."""
    words = claim_words(claim, given)
    stated = {w for w in words if w[0].isdigit()} | _named(claim)
    strong = [n for n in cited if scores[n - 1] >= threshold]
    covered: set[str] = set().union(*(words & content_words(passages[n - 1]) for n in strong))
    extra = []
    for n in sorted(set(cited) - set(strong), key=lambda n: -scores[n - 1]):
        new = (words & content_words(passages[n - 1])) - covered
        if len(new) >= 2 or new & stated:  # two more words of the claim, or a figure or name it states
            extra.append(n)
            covered |= new
    if not strong and (not words or len(covered) / len(words) < threshold):
        return ()
    kept = tuple(n for n in cited if n in strong or n in extra)
    if not stated <= given.union(*(content_words(passages[n - 1]) for n in kept)):
        return ()
    return kept


def _joined(
    claim: str, scores: list[float], passages: Sequence[str], threshold: float, given: frozenset[str]
) -> tuple[int, ...]:
    """The two passages that together support a claim neither supports alone, whatever the model
    cited; the pair sharing most of the claim's words first; () when no pair does."""
    words = claim_words(claim, given)
    shared = [len(words & content_words(passage)) for passage in passages]
    pairs = sorted(combinations(range(1, len(passages) + 1), 2), key=lambda pair: -sum(shared[n - 1] for n in pair))
    for pair in pairs:
        kept = _kept(claim, list(pair), scores, passages, threshold, given)
        if len(kept) == 2:
            return kept
    return ()


def render(sentences: Sequence[CheckedSentence]) -> str:
    """The answer from its supported sentences, each marker before the closing punctuation; a sentence
    no passage supports is dropped (it would be a claim with no source)."""
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


def _support(claim: str, passage: str, cosine: float | None, given: frozenset[str] = frozenset()) -> float:
    """Word overlap blended with embedding similarity; 0 when the words rule the passage out."""
    words = word_support(claim, passage, given=given)
    if words == 0.0 or cosine is None:
        return words
    return 0.5 * words + 0.5 * max(0.0, cosine)


def _named(sentence: str) -> set[str]:
    """The content words of the names `sentence` states (people, places, groups, outlets, months, years)."""
    return content_words(" ".join(names(sentence)))
