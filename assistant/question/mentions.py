"""What a news question says about where to look: the outlets it names (its dates: `text.dates`). Pure functions.

Outlet names come from the indexed articles' metadata (so nothing is hard-coded); a name matches on
word boundaries, as written or in its short form before " | ", " - " or ": ", in any case as long as
its words are capitalised ("CNBC" finds "Cnbc", "the verge of" finds nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.text import STOP_WORDS

_MIN_ALIAS = 3


@dataclass(frozen=True)
class Mention:
    """An outlet named in the question: where, and which indexed outlets the name stands for."""

    start: int
    end: int
    outlets: frozenset[str]


class OutletMatcher:
    """Finds the indexed outlets a question names."""

    def __init__(self, outlets: Iterable[str]) -> None:
        spellings: dict[str, set[str]] = {}
        for outlet in {o.strip() for o in outlets if o and o.strip()}:
            for alias in aliases(outlet):
                spellings.setdefault(alias.casefold(), set()).add(outlet)
        self._aliases = {alias: frozenset(names) for alias, names in spellings.items()}
        ordered = sorted(self._aliases, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(a) for a in ordered) + r")(?!\w)", re.IGNORECASE)
            if ordered
            else None
        )

    def mentions(self, question: str) -> list[Mention]:
        """Outlet mentions in order of appearance (a name said twice counts twice)."""
        if self._pattern is None:
            return []
        return [
            Mention(m.start(), m.end(), self._aliases[m.group(1).casefold()])
            for m in self._pattern.finditer(question)
            if _capitalised(m.group(1))
        ]


def segments(question: str, mentions: list[Mention]) -> list[str]:
    """For each mention, the text after it up to the next mention (what is said about that outlet)."""
    ends = [m.start for m in mentions[1:]] + [len(question)]
    return [question[m.end : end] for m, end in zip(mentions, ends, strict=True)]


def _capitalised(text: str) -> bool:
    """Names are written capitalised: "the Verge" names an outlet, "the verge of" does not."""
    words = [w for w in re.split(r"[\s|:-]+", text) if w[:1].isalnum() and w.casefold() not in STOP_WORDS]
    return all(w[0].isupper() or w[0].isdigit() for w in words)


def aliases(outlet: str) -> set[str]:
    """The names an outlet goes by: as indexed, and its short form before " | ", " - " or ": "."""
    names = {outlet}
    for separator in (" | ", " - ", ": "):
        if separator in outlet:
            names.add(outlet.split(separator)[0].strip())
    return {n for n in names if len(n) >= _MIN_ALIAS}
