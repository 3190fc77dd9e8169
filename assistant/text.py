"""The one text toolkit: sentences, words, stop words, names, numbers and dates. Pure functions.

Every module that reads text reads it with these, so a word, a name or a date means the same thing in
retrieval, excerpt selection, citation checks and the decline decision. Words are lower-cased runs of
letters and digits ("u.s", "1,200" -> "1200"), matched whole. It is written for English news text; it
does not parse grammar or resolve what a pronoun refers to.
"""

from __future__ import annotations

import re
from datetime import date

#: Function words, and the words a request or a reply is made of; none of them carries a claim or a name.
STOP_WORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been being has have had do
    does did not no this that these those it its it's they them their he him his she her we us our you your i
    me my there here which who whom whose what when where why how than then so such also very can could would
    should will shall may might must about into over under after before between during said says say according
    articles article passage passages yes
    """.split()
)
# Capitalised, these are no names: stop words, and the words a request is made of ("Answer in one word").
_NOT_NAMES = STOP_WORDS | frozenset("answer based given please tell".split())
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_MONTH = r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_FULL_DATE = re.compile(_MONTH + r"\s+(\d{1,2}),?\s+(\d{4})\b", re.IGNORECASE)
#: A word or phrase that places something in time: a month, a weekday, a year, 5/10, "last week".
TIME = re.compile(
    _MONTH + r"(?![\w])|\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|\b(1[89]|20)\d\d\b|\b\d{1,2}/\d{1,2}(/\d{2,4})?\b"
    r"|\b(yesterday|today|tomorrow)\b|\b(last|this|next|that) (week|month|year|spring|summer|autumn|fall|winter)\b"
)
#: A number, in figures or in words ("12", "1,200", "a dozen", "hundreds", "none").
NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|quarter|third|none|no one|zero)\b",
    re.IGNORECASE,
)
#: A sum of money ("$5 million", "3 billion euros").
MONEY = re.compile(
    r"[$€£]\s*\d[\d,.]*(?:\s*(?:million|billion|trillion|bn))?|\b\d[\d,.]*\s*(?:million|billion|trillion|bn)?\s*"
    r"(?:dollars?|euros?|pounds?|USD|EUR|GBP)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+(?:[.,'’][a-z0-9]+)*")
_NAME = re.compile(r"(?<![\w'’])([A-Z][\w'’.-]*[\w]|(?:19|20)\d\d)(?![\w])")
_FIRST_WORD = re.compile(r"\w")
_PASSAGE_NUMBERS = r"\d{1,3}(?:\s*[,;]\s*\d{1,3})*"
#: A citation marker, `[2]` or `[1, 3]`; group 1 holds its passage numbers.
MARKER = re.compile(r"\s*\[(" + _PASSAGE_NUMBERS + r")\]")
_MARKER_AFTER_STOP = re.compile(r"([.!?…][\"'”’)]*)((?:\s*\[" + _PASSAGE_NUMBERS + r"\])+)(\s|$)")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Gen|Lt|Col|Maj|Capt|Sgt|Adm|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Pres|St|Jr|Sr|No|Vol|Inc|Corp|Co|Ltd|vs|etc"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|(?:[A-Z]\.){1,3}[A-Z])\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`; `[n]` markers written after the full stop stay with their sentence."""
    sentences: list[str] = []
    text = _MARKER_AFTER_STOP.sub(lambda m: f"{m.group(2).rstrip()}{m.group(1)}{m.group(3)}", text.strip())
    for paragraph in re.split(r"\n\s*\n|\n(?=\s*[-*•]\s)", text):
        for piece in _pieces(paragraph.strip()):
            if sentences and _ABBREVIATION.search(sentences[-1]):
                sentences[-1] += " " + piece  # "Gen. Milley" is one sentence
            else:
                sentences.append(piece)
    return sentences


def _pieces(paragraph: str) -> list[str]:
    cuts = [m.end() for m in _SENTENCE_END.finditer(paragraph)]
    bounds = zip([0, *cuts], [*cuts, len(paragraph)], strict=True)
    return [piece.strip() for piece in (paragraph[a:b] for a, b in bounds) if piece.strip()]


def content_words(text: str) -> set[str]:
    """Lower-cased words of `text` that are not stop words, possessives dropped and plurals made singular."""
    words = set()
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = word.removesuffix("'s").replace(",", "")
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        words.add(singular(word))
    return words


def singular(word: str) -> str:
    """`word` made singular where it looks plural: "chairmen" -> "chairman", "speakers" -> "speaker"
    ("ss" endings and words of three letters or fewer stay)."""
    if word.endswith("men"):
        return word[:-3] + "man"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "'s", "’s")):
        return word[:-1]
    return word


def plural(n: int, noun: str) -> str:
    """ "1 article", "2 articles", "3 categories"."""
    if n == 1:
        return f"1 {noun}"
    return f"{n:,} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def names(text: str) -> list[str]:
    """The names in `text`, in order: its capitalised words after the first word and its years. A stop
    word or a request word is no name ("The", "According", "Answer") unless written in capitals ("US")
    or a month ("May")."""
    first = _FIRST_WORD.search(text)
    start = first.start() if first else 0
    return [m.group(1) for m in _NAME.finditer(text) if m.start() != start and _may_name(m.group(1))]


def _may_name(word: str) -> bool:
    plain = word.casefold()
    return plain not in _NOT_NAMES or word.isupper() or plain in MONTHS


def dates(text: str) -> set[str]:
    """ISO days (YYYY-MM-DD) written in `text` as "October 5, 2023" or "Oct. 5 2023"."""
    found = set()
    for month, day, year in _FULL_DATE.findall(text):
        number = next(i for i, name in enumerate(MONTHS, start=1) if name.startswith(month.lower()))
        try:
            found.add(date(int(year), number, int(day)).isoformat())
        except ValueError:
            continue
    return found


def is_day(text: str) -> bool:
    """True for an ISO day, YYYY-MM-DD."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
