"""Deciding that the articles do not answer a question: pure functions over text and passages.

The tests behind the decline signals of `assistant/grounding/decision.py`: names and years in the question that
no retrieved passage mentions, a reply that declines, a reply that does not hold the kind of answer
asked for (a number for "how many", a date for "on what date", a name for "what is the name of" or "in
which city") beyond what the question already says, and a reply whose cited passages name none of the
names in the question. It does not decide whether a supported answer is complete.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.grounding.citations import strip_markers
from assistant.question.kind import asked_for
from assistant.text import MONEY, NUMBER, TIME, names, singular, split_sentences
from assistant.types import Passage

DECLINE = "The articles do not say."
_REFUSAL = re.compile(
    r"\b(articles? (do|does) not (say|mention|contain|provide|specify)|articles? (don't|doesn't) (say|mention)"
    r"|passages? (do|does) not (say|mention|contain|provide)|no information|not (mentioned|provided|specified|stated)"
    r"|(cannot|can't|unable to) (answer|determine|find))\b",
    re.IGNORECASE,
)
# What an answer must state, beyond what the question holds, for each thing a question can ask for.
_STATES = {"number": NUMBER, "money": MONEY, "date": TIME}
# A hyphenated word with a lower-case part describes ("Iranian-backed", "anti-ISIS"); it names nothing.
_DESCRIBING = re.compile(r"[\w'’.]*-[\w'’.-]*")


def missing_names(
    question: str, passages: Sequence[Passage], *, known: Callable[[str], bool] = lambda _: False
) -> list[str]:
    """Names (capitalised words after the first) and years in `question` that no passage mentions and
    that `known` (the whole indexed collection) does not contain either."""
    mentioned = _mentioned_in(passages)
    missing = []
    for word in names(question):
        if not mentioned(word) and word not in missing and not any(map(known, _forms(word))):
            missing.append(word)
    return missing


def _mentioned_in(passages: Sequence[Passage]) -> Callable[[str], bool]:
    """A test: does a passage (title, byline or text) mention this name, in any of its `_forms`?"""
    haystack = _squash(" ".join(f"{p.title} {p.outlet} {p.author} {p.text}" for p in passages))
    return lambda word: any(_squash(form) in haystack for form in _forms(word))


def answers_the_kind(question: str, sentences: Sequence[str]) -> bool:
    """False when `question` asks for a number, a sum of money, a date or a name and no sentence states
    one the question does not already hold ("several others" does not answer "how many"; "hundreds of
    civilians" does not answer "how much money"; "on a nonbinding
    basis" does not answer "on what date"; "a U.S. military spokesman" does not answer "what is the
    name of the spokesman")."""
    plain = [strip_markers(sentence) for sentence in sentences]
    wanted = asked_for(question)
    if any(not _new(_STATES[kind], question, plain) for kind in wanted if kind in _STATES):
        return False
    if "name" in wanted:
        asked = {_squash(word) for word in re.findall(r"[\w'’.-]+", question)}
        named = (_DESCRIBING.sub(_unless_a_name, sentence) for sentence in plain)
        if not any(_squash(name) not in asked for sentence in named for name in names(sentence)):
            return False
    return True


def _unless_a_name(match: re.Match[str]) -> str:
    """A hyphenated word kept when every part is capitalised ("Al-Qaeda"), blanked when one describes."""
    return match.group() if all(part[:1].isupper() for part in match.group().split("-") if part) else " "


def _new(pattern: re.Pattern[str], question: str, sentences: Sequence[str]) -> bool:
    """True when a sentence holds a match of `pattern` that the question does not."""
    asked = {m.group(0).casefold() for m in pattern.finditer(question)}
    return any(m.group(0).casefold() not in asked for sentence in sentences for m in pattern.finditer(sentence))


def looks_like_refusal(text: str) -> bool:
    """True when a reply declines: its first sentence declines, or every sentence does (a reply that
    answers first and then declines a part, "66 were killed [1]. The article does not say more.", is
    an answer; `answer_part` keeps its answering sentences)."""
    plain = strip_markers(text).strip()
    if not _REFUSAL.search(plain):
        return False
    sentences = split_sentences(plain) or [plain]
    return _declines(sentences[0]) or all(map(_declines, sentences))


def answer_part(text: str) -> str:
    """`text` without its sentences that decline (the reply is not a refusal, see `looks_like_refusal`)."""
    return " ".join(s for s in split_sentences(text) if not _declines(strip_markers(s))) or text


def _declines(sentence: str) -> bool:
    """A short sentence saying the articles do not answer (a long one that mentions it carries more)."""
    return len(sentence.split()) <= 20 and bool(_REFUSAL.search(sentence))


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


def _forms(word: str) -> list[str]:
    """`word`, and its singular where it looks plural ("Chairmen" -> "Chairman", "Speakers" -> "Speaker")."""
    return list(dict.fromkeys((word, singular(word))))
