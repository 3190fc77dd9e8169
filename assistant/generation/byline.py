"""Who wrote or published an article: answered from its byline, not by the model.

"Who wrote the article asking why the US trains Iranian-backed militias?" names an article by its title
and asks for metadata the passages carry in their byline, which the small model tends to decline. When
the question matches one retrieved article's title closely, the answer states that article's author or
outlet and cites its best passage, whose byline a reader sees. Anything else (no close title, several
articles asked about, no author recorded) goes to the model as usual. It does not answer dates or
questions about the people an article quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text import content_words
from assistant.types import Passage

_AUTHOR = re.compile(r"^\W*who (wrote|authored|penned|is the (author|writer|reporter) of)\b", re.IGNORECASE)
_OUTLET = re.compile(
    r"^\W*(which|what) (outlet|publication|news ?(site|outlet|organi[sz]ation|agency)|website|site|paper|newspaper)"
    r" (published|ran|carried|put out|wrote)\b",
    re.IGNORECASE,
)
TITLE_SHARE = 0.6  # of the title's content words the question must hold
TITLE_WORDS = 2  # and at least this many of them


def byline_answer(question: str, passages: Sequence[Passage]) -> tuple[str, Passage] | None:
    """(the answer's sentence without its marker, the passage it cites), or None when the question is
    not about one retrieved article's author or outlet."""
    asks_author, asks_outlet = bool(_AUTHOR.search(question)), bool(_OUTLET.search(question))
    if not (asks_author or asks_outlet):
        return None
    passage = _named_article(question, passages)
    if passage is None:
        return None
    if asks_author and passage.author:
        outlet = f" for {passage.outlet}" if passage.outlet else ""
        return f"“{passage.title}” was written by {passage.author}{outlet}.", passage
    if asks_outlet and passage.outlet:
        return f"“{passage.title}” was published by {passage.outlet}.", passage
    return None


def _named_article(question: str, passages: Sequence[Passage]) -> Passage | None:
    """The best passage of the only article whose title the question holds closely enough."""
    asked = content_words(question)
    close: dict[str, Passage] = {}
    for passage in passages:  # best first: the first passage seen of an article is its best
        title = content_words(passage.title)
        shared = len(title & asked)
        if title and shared >= TITLE_WORDS and shared >= TITLE_SHARE * len(title):
            close.setdefault(passage.source_id, passage)
    return next(iter(close.values())) if len(close) == 1 else None
