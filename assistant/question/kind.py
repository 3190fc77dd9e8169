"""What a question asks for, read from its structure, not from a list of phrasings: a yes or a no, a
number, a sum of money, a date or a name, and whether it is about several articles. Pure functions.

A yes/no question opens its main clause with an auxiliary verb ("Does the article…", "After the report
of October 7, was there…"); one opening with a wh-word asks for something else. It does not tell a
yes/no question from an alternative one ("…before or after…?"): on the tune half of MultiHop-RAG that
test lost more yes/no questions than it saved (docs/decisions.md).
"""

from __future__ import annotations

import re

_AUXILIARY = r"(is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)(n['’]t)?"
_OPENS_WITH_AUXILIARY = re.compile(rf"^\W*{_AUXILIARY}\b", re.IGNORECASE)
_OPENS_WITH_WH = re.compile(r"^\W*(who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)
# "After the report on October 7, 2023, …, was there a change…": the main clause after an opening phrase.
_MAIN_CLAUSE = re.compile(
    rf",\s*{_AUXILIARY}\s+(there|it|the|a|an|this|that|these|those|both|each|either|any|[A-Z]\w*)\b", re.IGNORECASE
)

_SEVERAL = re.compile(
    r"\b(both|compare[sd]?|comparing|two|across|each|either|versus|vs|differ\w*|other|articles|pieces|reports)\b"
    r"|,\s*and\s+(who|what|which|when|where|why|how)\b|\bone (article|piece|report)\b",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"\b(article|report|piece|story|coverage)\b", re.IGNORECASE)

#: What a question can ask for, beyond a yes or a no: a number, a sum of money, a date or a name.
_ASKS_FOR = {
    "number": re.compile(
        r"\b(how (many|much)|what (number|percentage|percent|share|proportion|fraction)|how large a)\b",
        re.IGNORECASE,
    ),
    "money": re.compile(
        r"\bhow much (money|funding|aid|cash)\b|\bhow much (?!of\b).{0,60}\b(cost|costs|spent|spend|spends|paid|pay|"
        r"pays|worth)\b|\bwhat (did|does|will|would) .{0,60}\bcost\b",
        re.IGNORECASE,
    ),
    "date": re.compile(
        r"\b(on|by|since|until)?\s*(what|which) (date|day|month|year)\b|\bin what year\b", re.IGNORECASE
    ),
    "name": re.compile(
        r"\bwhat (is|was|were|are) the names? of\b|\bname (the|of the|any|two|three)\b|\bwhich (specific|particular)\b"
        r"|\b(which|what) (city|town|village|province|country|newspaper|network|broadcaster|channel|outlet|agency)\b",
        re.IGNORECASE,
    ),
}


def asks_yes_or_no(question: str) -> bool:
    """True when `question` is answered by yes or no."""
    if _OPENS_WITH_AUXILIARY.search(question):
        return True
    if _OPENS_WITH_WH.search(question):
        return False
    return bool(_MAIN_CLAUSE.search(question))


def asks_about_several(question: str, *, outlets_named: int = 0) -> bool:
    """True when `question` reads as one about two or more articles (its second article is always read):
    it says so ("both", "compare", "the other"…), names the article twice ("the report of October 2 …
    and the report of November 6"), or names two outlets, or one outlet twice (`outlets_named`: the
    outlet names found in it, `assistant.question.mentions`)."""
    return outlets_named >= 2 or len(_ARTICLE.findall(question)) >= 2 or bool(_SEVERAL.search(question))


def asked_for(question: str) -> list[str]:
    """What `question` asks for: any of "number", "money", "date" and "name" (several may apply)."""
    return [kind for kind, pattern in _ASKS_FOR.items() if pattern.search(question)]
