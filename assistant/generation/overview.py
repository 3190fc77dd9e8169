"""Answers about the collection, written from the catalog: counts, outlets, authors, dates, categories,
and for overviews one sentence of each article it names, cited like any answer. Pure functions.

Each builder returns a `Written`: the text (paragraphs; `[n]` after a sentence taken from passage n)
and the passages it cites. `lead` picks the sentence that stands for an article (the engine's choice:
the sentence of its first chunks closest to its title). Long collections stay short: counts by outlet,
month and category, and the latest few articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from assistant.retrieval.catalog import ArticleInfo
from assistant.text import is_day, plural
from assistant.types import Passage

LISTED = 25  # articles listed one by one; beyond, the latest LISTED_LONG and a count
LISTED_LONG = 12
NAMES = 30  # outlets or authors named
EACH = 8  # up to this many articles, an overview says what each is about
LATEST = 5

Lead = Callable[[ArticleInfo], tuple[str, Passage] | None]


@dataclass
class Written:
    """An answer's text and the passages its `[n]` markers point at (1-based)."""

    text: str = ""
    passages: list[Passage] = field(default_factory=list)
    cited: list[tuple[int, str]] = field(default_factory=list)  # (n, sentence) of each citation

    def add(self, paragraph: str) -> None:
        self.text = f"{self.text}\n\n{paragraph}" if self.text else paragraph

    def about(self, article: ArticleInfo, lead: Lead, *, label: str = "") -> None:
        """A paragraph naming the article and, where its lead sentence is found, citing it."""
        found = lead(article)
        head = label or describe(article)
        if found is None:
            self.add(head + ".")
            return
        sentence, passage = found
        self.passages.append(passage)
        n = len(self.passages)
        self.cited.append((n, sentence))
        body = sentence.rstrip()
        end = body[-1] if body and body[-1] in ".!?" else "."
        self.add(f"{head}: {body.rstrip('.!?')} [{n}]{end}")


def describe(article: ArticleInfo) -> str:
    """“Title” (Outlet, Author, 5 October 2023), with what is known."""
    parts = [p for p in (article.outlet, article.author, _day(article.published_at)) if p]
    return f"“{article.title}”" + (f" ({', '.join(parts)})" if parts else "")


def overview(articles: Sequence[ArticleInfo], lead: Lead, scope: str = "") -> Written:
    """What the collection (or the part of it inside the filters, `scope`) holds and is about."""
    written = Written()
    if not articles:
        written.add(_nothing(scope))
        return written
    outlets = Counter(a.outlet for a in articles if a.outlet)
    written.add(_holding(articles, outlets, scope))
    categories = Counter(a.category for a in articles if a.category)
    if len(categories) > 1:
        written.add("By category: " + _counted(categories) + ".")
    if len(articles) <= EACH:
        for article in _newest(articles):
            written.about(article, lead)
        return written
    if len(outlets) > 1:
        written.add("By outlet: " + _counted(outlets, NAMES // 3) + ".")
    months = Counter(a.published_at[:7] for a in articles if is_day(a.published_at[:10]))  # "2023-10", in order
    if len(months) > 1:
        written.add("By month: " + ", ".join(f"{_month(m + '-01')} ({n})" for m, n in sorted(months.items())) + ".")
    written.add("The latest:")
    for article in _newest(articles)[:3]:
        written.about(article, lead)
    return written


def listing(articles: Sequence[ArticleInfo], scope: str = "") -> Written:
    """The articles, newest first (all of them, or the latest and a count)."""
    written = Written()
    if not articles:
        written.add(_nothing(scope))
        return written
    shown = _newest(articles)
    written.add(_holding(articles, Counter(a.outlet for a in articles if a.outlet), scope))
    if len(shown) > LISTED:
        written.add(f"The {LISTED_LONG} latest:")
        shown = shown[:LISTED_LONG]
    for article in shown:
        written.add(describe(article) + ".")
    if len(articles) > len(shown):
        written.add(f"…and {len(articles) - len(shown)} more: the Articles tab lists them all.")
    return written


def names(articles: Sequence[ArticleInfo], part: str, scope: str = "") -> Written:
    """The outlets or the authors, each with its number of articles, most first."""
    written = Written()
    field_of = (lambda a: a.outlet) if part == "outlets" else (lambda a: a.author)
    counted = Counter(field_of(a) for a in articles if field_of(a))
    noun = "outlet" if part == "outlets" else "author"
    where = f" {scope}" if scope else ""
    if not counted:
        written.add(f"No indexed article{where} names its {noun}.")
        return written
    written.add(
        f"{plural(len(counted), noun)} in {plural(len(articles), 'article')}{where}: {_counted(counted, NAMES)}."
    )
    unnamed = sum(1 for a in articles if not field_of(a))
    if unnamed:
        written.add(f"{plural(unnamed, 'article')} name{'s' if unnamed == 1 else ''} no {noun}.")
    return written


def count(articles: Sequence[ArticleInfo], part: str, scope: str = "") -> Written:
    """How many articles, outlets, authors or categories."""
    written = Written()
    where = f" {scope}" if scope else ""
    outlets = {a.outlet for a in articles if a.outlet}
    authors = {a.author for a in articles if a.author}
    in_articles = plural(len(articles), "article")
    if part == "outlets":
        written.add(f"There {_be(len(outlets))} {plural(len(outlets), 'outlet')}{where}, with {in_articles}.")
    elif part == "authors":
        written.add(f"There {_be(len(authors))} {plural(len(authors), 'named author')}{where}, in {in_articles}.")
    elif part == "topics":
        categories = Counter(a.category for a in articles if a.category)
        text = f"{plural(len(categories), 'category')}: {_counted(categories)}" if categories else "no categories"
        written.add(f"The {plural(len(articles), 'article')}{where} have {text}.")
    else:
        written.add(
            f"There {_be(len(articles))} {plural(len(articles), 'article')}{where}, "
            f"from {plural(len(outlets), 'outlet')} and by {plural(len(authors), 'named author')}."
        )
    return written


def latest(articles: Sequence[ArticleInfo], lead: Lead, scope: str = "") -> Written:
    """The most recently published articles, each with what it is about."""
    written = Written()
    dated = [a for a in articles if is_day(a.published_at[:10])]
    where = f" {scope}" if scope else ""
    if not dated:
        written.add(f"No indexed article{where} has a publication date." if articles else _nothing(scope))
        return written
    written.add(f"The latest of {plural(len(articles), 'article')}{where}:")
    for article in _newest(dated)[:LATEST]:
        written.about(article, lead)
    return written


def outlet_report(articles: Sequence[ArticleInfo], outlets: Sequence[str], lead: Lead) -> Written:
    """What the named outlets published: how many articles, and the latest ones with a sentence each."""
    written = Written()
    name = " and ".join(outlets)
    if not articles:
        written.add(f"No indexed article is from {name} (within the filters).")
        return written
    written.add(f"{name} has {plural(len(articles), 'article')} in the collection" + _span(articles) + ".")
    for article in _newest(articles)[:LATEST]:
        written.about(article, lead)
    if len(articles) > LATEST:
        written.add(f"…and {len(articles) - LATEST} more: filter by {name} in the sidebar to ask about them.")
    return written


def _nothing(scope: str) -> str:
    return f"No indexed article is {scope}." if scope else "No article has been indexed yet."


def _holding(articles: Sequence[ArticleInfo], outlets: Counter[str], scope: str) -> str:
    where = f" {scope}" if scope else ""
    return (
        f"The collection holds {plural(len(articles), 'article')}{where} from {plural(len(outlets), 'outlet')}"
        + _span(articles)
        + "."
    )


def _span(articles: Sequence[ArticleInfo]) -> str:
    days = sorted(a.published_at[:10] for a in articles if is_day(a.published_at[:10]))
    if not days:
        return ""
    return (
        f", published on {_day(days[0])}"
        if days[0] == days[-1]
        else f", published from {_day(days[0])} to {_day(days[-1])}"
    )


def _newest(articles: Sequence[ArticleInfo]) -> list[ArticleInfo]:
    return sorted(articles, key=lambda a: (a.published_at[:19], a.title), reverse=True)


def _counted(counter: Counter[str], limit: int = 12) -> str:
    shown = ", ".join(f"{name} ({n})" for name, n in counter.most_common(limit))
    rest = len(counter) - limit
    return shown + (f" and {rest} more" if rest > 0 else "")


def _be(n: int) -> str:
    return "is" if n == 1 else "are"


def _day(published_at: str) -> str:
    text = published_at[:10]
    return f"{date.fromisoformat(text):%-d %B %Y}" if is_day(text) else ""


def _month(published_at: str) -> str:
    """ "October 2023" for a dated article, "" for one without a date."""
    text = published_at[:10]
    return f"{date.fromisoformat(text):%B %Y}" if is_day(text) else ""
