"""Deciding that the articles do not answer a question: pure functions over text and passages.

Four signals, none trusted alone to the model: the best retrieval score (checked by the engine), names
and years in the question that no retrieved passage mentions, a reply that declines, and a reply that
does not hold the kind of answer asked for (a count for "how many"). It does not decide whether a
supported answer is complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.citations import split_sentences, strip_markers
from assistant.types import Passage

DECLINE = "The articles do not say."
_REFUSAL = re.compile(
    r"\b(articles? (do|does) not (say|mention|contain|provide|specify)|articles? (don't|doesn't) (say|mention)"
    r"|passages? (do|does) not (say|mention|contain|provide)|no information|not (mentioned|provided|specified|stated)"
    r"|(cannot|can't|unable to) (answer|determine|find))\b",
    re.IGNORECASE,
)
# Capitalised words that are not names of anything the articles would have to mention.
_NOT_NAMES = frozenset(
    """a an and according also answer are article articles as based can could did do does for from given
    how i if in is it me of on or please tell than that the their then there these they this to was were
    what when where which who whom whose why will with would you your""".split()
)
_COUNT_QUESTION = re.compile(
    r"\b(how (many|much)|what (number|percentage|percent|share|proportion|fraction)|how large a)\b", re.IGNORECASE
)
_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|quarter|third|none|no one|zero)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![\w'’])([A-Z][\w'’.-]*[\w]|(?:19|20)\d\d)(?![\w])")


def missing_names(
    question: str, passages: Sequence[Passage], *, known: Callable[[str], bool] = lambda _: False
) -> list[str]:
    """Names (capitalised words after the first) and years in `question` that no passage mentions and
    that `known` (the whole indexed collection) does not contain either."""
    haystack = _squash(" ".join(f"{p.title} {p.outlet} {p.author} {p.text}" for p in passages))
    missing = []
    for match in _NAME.finditer(question):
        word = match.group(1)
        if match.start() == _first_word_start(question) or word.casefold() in _NOT_NAMES:
            continue
        if _squash(word) not in haystack and word not in missing and not known(word):
            missing.append(word)
    return missing


def answers_the_kind(question: str, sentences: Sequence[str]) -> bool:
    """False when `question` asks for a count or share and no sentence states a number the question
    does not already hold ("several others" does not answer "how many")."""
    if not _COUNT_QUESTION.search(question):
        return True
    asked = {n.casefold() for n in _NUMBER.findall(question)}
    found = (n.casefold() for sentence in sentences for n in _NUMBER.findall(strip_markers(sentence)))
    return any(n not in asked for n in found)


def looks_like_refusal(text: str) -> bool:
    """True when a reply declines: a short reply with a refusal in it, or one whose short first sentence is one."""
    plain = strip_markers(text).strip()
    if not _REFUSAL.search(plain):
        return False
    first = split_sentences(plain)[0]
    return len(plain.split()) <= 30 or (len(first.split()) <= 20 and bool(_REFUSAL.search(first)))


def decline_text(passages: Sequence[Passage], missing: Sequence[str] = ()) -> str:
    """The reply when the articles do not answer: say so, say what is missing, say what they do cover."""
    text = DECLINE
    if missing:
        text += " They do not mention " + ", ".join(f"“{m}”" for m in missing) + "."
    titles = list(dict.fromkeys(f"“{p.title}”" for p in passages if p.title))[:3]
    if titles:
        text += f" The closest articles are {', '.join(titles)}."
    return text


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.casefold())


def _first_word_start(text: str) -> int:
    match = re.search(r"\w", text)
    return match.start() if match else 0
