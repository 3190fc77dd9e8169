"""The indexed articles as a reader sees them: title, outlet, author, chunk count and cleaned text.

Built from the store's chunks (the store holds no separate article table); an article's text is its
chunks joined in order with the overlap between neighbours removed. It is a snapshot: call `load`
again after an ingest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from assistant.retrieval.store import Store, to_passage
from assistant.types import Passage

LEAD_CHUNKS = 2
MIN_OVERLAP = 20  # characters; a shorter match is a coincidence, not the chunker's overlap


@dataclass(frozen=True)
class ArticleInfo:
    """One indexed article."""

    source_id: str
    title: str
    outlet: str
    author: str
    published_at: str
    chunks: int
    text: str
    category: str = ""
    leads: tuple[Passage, ...] = ()  # its first chunks, which a summary or an overview reads and cites

    @property
    def meta(self) -> dict[str, str]:
        """Its metadata as a chunk carries it (what `Filters.admits` reads)."""
        return {"outlet": self.outlet, "author": self.author, "published_at": self.published_at}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of /articles (without the text, which can be long)."""
        return {
            "source_id": self.source_id,
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "published_at": self.published_at,
            "chunks": self.chunks,
        }


@dataclass(frozen=True)
class Catalog:
    """Every indexed article, sorted by title."""

    articles: list[ArticleInfo]

    @classmethod
    def load(cls, store: Store) -> Catalog:
        """Read every chunk from the store and group them by article."""
        grouped: dict[str, list[tuple[int, str, dict[str, Any], str]]] = defaultdict(list)
        for chunk_id, text, meta in store.documents():
            grouped[str(meta.get("source_id", ""))].append((int(meta.get("chunk_index", 0)), text, meta, chunk_id))
        articles = [_article(source_id, sorted(rows, key=lambda r: r[0])) for source_id, rows in grouped.items()]
        return cls(sorted(articles, key=lambda a: (a.title.lower(), a.source_id)))

    @property
    def chunk_counts(self) -> dict[str, int]:
        """Chunks per article, by source id."""
        return {a.source_id: a.chunks for a in self.articles}

    @property
    def chunk_total(self) -> int:
        """Chunks in all articles."""
        return sum(a.chunks for a in self.articles)


def _article(source_id: str, rows: list[tuple[int, str, dict[str, Any], str]]) -> ArticleInfo:
    meta = rows[0][2]
    text = ""
    for _, chunk, _, _ in rows:
        text = join_overlapping(text, chunk)
    return ArticleInfo(
        source_id=source_id,
        title=str(meta.get("title", "")),
        outlet=str(meta.get("outlet", "")),
        author=str(meta.get("author", "")),
        published_at=str(meta.get("published_at", "")),
        chunks=len(rows),
        text=text,
        category=str(meta.get("category", "")),
        leads=tuple(to_passage(chunk_id, chunk, meta, 0.0) for _, chunk, meta, chunk_id in rows[:LEAD_CHUNKS]),
    )


def join_overlapping(left: str, right: str) -> str:
    """`left` + `right` without the longest stretch that ends `left` and starts `right`."""
    if not left:
        return right
    for size in range(min(len(left), len(right)), MIN_OVERLAP - 1, -1):
        if left.endswith(right[:size]):
            return left + right[size:]
    return f"{left}\n\n{right}"
