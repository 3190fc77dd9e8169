"""Questions about the collection itself, recognised from the question's structure. Pure functions.

A question is about the collection when, once the words that name the collection and its parts
(articles, outlets, authors, topics…) and the words any request is made of (what, which, list, how
many, latest, you, have…) are set aside, nothing is left: "Which outlets do you have?", "how many
stories are there", "What is this collection about?". What is left is a topic, and a topic makes it a
question about the news ("How many civilians were killed?" keeps "civilians" and "killed").
Two forms keep a topic on purpose: a request to summarise one article ("Summarise the article about
the training pause", "… the Antiwar.com article"), and an outlet named with a reporting verb and
nothing else ("What does Antiwar.com report?"). Measured on held-out questions (docs/collection.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words naming the collection and its parts, by the part they name.
_PARTS = {
    "articles": "article articles story stories piece pieces document documents doc docs text texts item items "
    "title titles headline headlines news report reports post posts",
    "outlets": "outlet outlets source sources publication publications publisher publishers newspaper newspapers "
    "paper papers site sites website websites media organisation organisations organization organizations",
    "authors": "author authors writer writers journalist journalists reporter reporters byline bylines "
    "contributor contributors",
    "collection": "collection collections corpus dataset data database archive archives library index knowledge base "
    "content contents material materials",
    "topics": "topic topics subject subjects theme themes category categories area areas",
}
_PART = {word: part for part, words in _PARTS.items() for word in words.split()}
#: Words any request about a collection is made of; none of them is a topic.
_REQUEST = frozenset(
    """
    a an the this that these those it its there here what what's whats which who whom whose when where how
    is are was were be been being do does did have has had got get can could would will should may might
    i me my we us our you your yours please kindly just also all any some every each other different various
    of in on at by for from with about to into within inside among between up over
    list show tell give name say see find display enumerate provide share let know
    many much number count total amount numbers
    hold holds held contain contains contained cover covers covered include includes included featured feature
    indexed stored loaded available exist exists present currently current now so far
    kind kinds sort sorts type types main mainly general generally overall broad broadly brief briefly short
    quick quickly overview rundown sense idea ask asking question questions
    and or else more most like size represented date dates few come comes came
    hi hello hey there thanks thank pls plz mind telling roughly approximately exactly big large stuff things
    app application assistant bot system draw drawn taken behind names describe subject matter able answer
    been one ones
    """.split()
    + "one two three four five six seven eight nine ten twenty".split()
)
_LATEST = frozenset("latest newest recent recently last new fresh freshest newly added additions lately".split())
_ADDRESSED = frozenset("you overview describe".split())  # a request with no topic made to the assistant
#: Who wrote or published "these articles": the authors or the outlets, asked with a verb.
_BY_VERB = {
    "wrote": "authors",
    "write": "authors",
    "written": "authors",
    "contributed": "authors",
    "published": "outlets",
    "publish": "outlets",
}
_COUNT = re.compile(r"\b(how\s+many|number\s+of|count|total|size)\b", re.IGNORECASE)
_KIND = frozenset("kind kinds sort sorts type types".split())
_SUMMARY = re.compile(
    r"\b(summar(?:y|ies|ise|ize|ised|ized|ising|izing)|sum\s+up|recap|gist|tl;?dr|main\s+points|key\s+points)\b",
    re.IGNORECASE,
)
_REPORTING = frozenset(
    "report reports reported reporting say says said write writes wrote written publish publishes published "
    "cover covers covered coverage covering post posts posted run runs focus focuses talk talks about on "
    "writing".split()
)


def _plain(word: str) -> str:
    """A word without its contracted ending: "you've" -> "you", "what's" -> "what"."""
    return re.sub(r"'(ve|re|s|ll|d|m|t)$", "", word)


_NAMED_OK = ("articles", "collection", "topics")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@dataclass(frozen=True)
class Request:
    """A question about the collection: `kind` is overview, articles, outlets, authors, count, latest,
    summary or outlet; `topic` the words that pick the article to summarise; `part` what a count counts."""

    kind: str
    topic: str = ""
    part: str = "articles"


def classify(question: str, outlet_spans: list[tuple[int, int]] = ()) -> Request | None:  # type: ignore[assignment]
    """The collection request `question` makes, or None for a question about the news. `outlet_spans`
    are the (start, end) of the outlet names it contains (`query.OutletMatcher.mentions`)."""
    named = bool(outlet_spans)
    for start, end in sorted(outlet_spans, reverse=True):
        question = question[:start] + " " + question[end:]
    words = [_plain(w) for w in _WORD.findall(_SUMMARY.sub(" ", question).lower().replace("’", "'"))]
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    if not words:
        return None if not _SUMMARY.search(question) else Request("overview")
    parts = [_PART[w] for w in words if w in _PART]
    rest = [w for w in words if w not in _PART and w not in _REQUEST and w not in _LATEST]
    summary = _SUMMARY.search(question)
    if summary:
        after = [_PART.get(w) for w in _WORD.findall(question[summary.end() :].lower())]
        if "articles" in after or (
            named and not rest
        ):  # "Recap the Polygon piece on …", "Sum up the Antiwar.com story"
            return Request("summary", topic=" ".join(rest))
        if not rest and ("collection" in parts or not parts):  # "Summarise the collection"
            return Request("overview")
        return None  # "Summarise what McGurk said": a question about the news
    if named:  # "What does Antiwar.com report?", "How many TechCrunch articles are there?"
        other = [w for w in words if w not in _REQUEST | _LATEST | _REPORTING and _PART.get(w) not in _NAMED_OK]
        return None if other or [w for w in rest if w not in _REPORTING] else Request("outlet")
    verbs = [_BY_VERB[w] for w in rest if w in _BY_VERB]
    rest = [w for w in rest if w not in _BY_VERB]
    if not rest and not parts and any(w in _LATEST for w in words):  # "newest?"
        return Request("latest")
    if not rest and not parts and any(w in _ADDRESSED for w in words):  # "What can I ask you about?"
        return Request("overview")
    if rest or not parts:
        return None
    parts = verbs + parts  # "who wrote these pieces?" asks for authors
    if _COUNT.search(question):
        counted = [p for p in parts if p in ("articles", "outlets", "authors", "topics")]
        return Request("count", part=counted[0] if counted else "articles")
    if any(w in _LATEST for w in words):
        return Request("latest")
    for part in ("outlets", "authors"):
        if part in parts:
            return Request(part)
    if "topics" in parts or "about" in words or any(w in _KIND for w in words):
        return Request("overview")
    if "articles" in parts:
        return Request("articles")
    return Request("overview")
