"""Hybrid retrieval tuned on MultiHop-RAG: BM25 and dense scores fused, steered by outlets and dates.

1. BM25 scores every chunk (header "title | outlet | date" included); Chroma returns the `candidates`
   nearest chunks by cosine. Both are divided by their best score for the question and mixed:
   0.8·BM25 + 0.2·dense (ASSISTANT_DENSE_WEIGHT).
2. A chunk whose article date is written in the question gets +0.3.
3. When the question names outlets, each mention gets its own list of that outlet's chunks, ranked by
   the score plus half the BM25 score of the words that follow the mention (and +0.5 for a date
   there); the lists are merged round-robin, best first in each round, then the rest by score.
The BM25 index is read from disk (ingest keeps it current) and reloaded by `refresh()`; no query
rebuilds it. When another process's ingest changes the store (it rewrites the generation file and the
marker in the collection's metadata, which every replica on the same Chroma server sees), the next
query (checked at most every RELOAD_CHECK_S seconds) reopens the store and brings the BM25 index up to
date from the store's contents, reusing the tokens of unchanged chunks. Queries run side by side; a
reload waits for them and they wait for it.
It does not rerank with a cross-encoder: none ships its weights in a PyPI package.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant import text
from assistant.config import Settings
from assistant.question.filters import NO_FILTERS, Filters
from assistant.question.mentions import Mention, OutletMatcher, segments
from assistant.retrieval import lexical
from assistant.retrieval.embed import Embedder
from assistant.retrieval.store import Store
from assistant.timing import stage
from assistant.types import Passage

DENSE_WEIGHT = 0.2  # measured on MultiHop-RAG with 128-piece MiniLM vectors: docs/retrieval.md
DATE_BONUS, SEGMENT_WEIGHT, SEGMENT_DATE_BONUS = 0.3, 0.5, 0.5
RELOAD_CHECK_S = 2.0


class Retriever:
    """Finds the passages most related to a question."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        lexical_dir: Path | None = None,
        candidates: int = 100,
        weights: tuple[float, float] = (1 - DENSE_WEIGHT, DENSE_WEIGHT),
        steer: bool = True,
        generation_file: Path | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical_dir = lexical_dir
        self.candidates = candidates
        self.weights = weights
        self.steer = steer
        self.lexical: lexical.LexicalIndex | None = None
        self._meta: list[dict[str, Any]] = []
        self.version = 0  # counts refreshes: what was derived from the store before is stale
        self._outlets = OutletMatcher(())
        self.generation_file = generation_file
        self._generation = ""
        self._checked = time.monotonic()
        self._rw = _ReadWrite()  # queries read side by side; a reload writes alone
        self._checking = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        """Reload the BM25 index and outlet names (after an ingest); rebuild the index if out of step.

        The store's current generation is taken as seen, so an ingest this process refreshed after is not
        reloaded a second time by the next query. Queries wait for it and never see it half done."""
        with self._rw.write():
            self._refresh()

    def _refresh(self) -> None:
        self._generation = self._read_generation()
        self.version += 1
        if self.lexical_dir is None:
            return
        self.lexical = lexical.sync(self.lexical_dir, self.store)
        metadata = self.store.metadata_by_id()
        meta = [metadata.get(chunk_id, {}) for chunk_id in self.lexical.ids]
        self._position = {chunk_id: i for i, chunk_id in enumerate(self.lexical.ids)}
        self._meta = meta
        self._by_outlet = _positions(str(m.get("outlet", "")) for m in meta)
        self._by_date = _positions(str(m.get("published_at", ""))[:10] for m in meta)
        self._names = _names(meta)
        self._outlets = OutletMatcher(self._names[0])
        self._masks: dict[Filters, np.ndarray] = {}

    def reload_if_changed(self) -> bool:
        """Reopen the store and refresh when another process's ingest changed it (the generation file of
        an embedded store, the marker in a Chroma server's collection); True if it did. Checked at most
        every RELOAD_CHECK_S seconds, by one caller at a time."""
        if self.generation_file is None or not self._checking.acquire(blocking=False):
            return False
        try:
            if time.monotonic() - self._checked < RELOAD_CHECK_S:
                return False
            self._checked = time.monotonic()
            current = self._read_generation()
            if current == self._generation:
                return False
            with self._rw.write():
                self.store = self.store.reopen()
                self._refresh()
                self._generation = current  # as read before reopening: a later ingest is still to be seen
            return True
        finally:
            self._checking.release()

    def _read_generation(self) -> str:
        try:
            marker = self.generation_file.read_text() if self.generation_file else ""
        except OSError:
            marker = ""
        return marker + self.store.generation()

    def mentions(self, question: str) -> list[Mention]:
        """The indexed outlets `question` names, in order (after another process's ingest, if any)."""
        self.reload_if_changed()
        with self._rw.read():
            return self._outlets.mentions(question)

    def knows(self, word: str) -> bool:
        """True when `word` (as BM25 tokenises it) occurs anywhere in the indexed articles."""
        return self.lexical is not None and self.lexical.knows(word)

    def describe(self) -> str:
        """One line saying how this retriever ranks."""
        if self.lexical is None:
            return "dense only (MiniLM int8 from Chroma, cosine)"
        lexical_weight, dense_weight = self.weights
        ranking = (
            f"{lexical_weight}·BM25 (bm25s k1 0.9 b 0.4, Snowball) + "
            f"{dense_weight}·dense (MiniLM int8, Chroma top {self.candidates})"
        )
        return ranking + (f", +{DATE_BONUS} for a date named, per-outlet round-robin" if self.steer else "")

    def names(self) -> tuple[set[str], set[str]]:
        """The outlets and the authors of the indexed articles (the caller holds the lock or accepts a
        snapshot that a reload may replace)."""
        if self.lexical is None:
            return _names(self.store.metadata_by_id().values())
        return self._names

    def retrieve(
        self,
        question: str,
        k: int = 10,
        *,
        filters: Filters = NO_FILTERS,
        timings: dict[str, float] | None = None,
    ) -> list[Passage]:
        """The `k` best passages for `question` among the chunks `filters` admit, best first (`score`:
        fused; `similarity`: cosine); [] when the filters admit none. A filter naming an outlet or an
        author that is not indexed raises InvalidQuestion.

        `timings`, when given, receives the stages: embed_query, dense, lexical, fusion, fetch.
        """
        with stage(timings, "embed_query"):
            vector = self.embedder.embed_one(question)
        self.reload_if_changed()
        with self._rw.read():  # a reload swaps the store and the BM25 index; queries do not see it half done
            if filters.active:
                filters = filters.resolve(*self.names())
            if self.lexical is None or not self.lexical.ids:
                with stage(timings, "dense"):
                    return self._dense_only(vector, k, filters)
            mask = self._mask(filters)
            if not mask.any():
                return []
            where = _where(self._meta, mask) if filters.active else None
            with stage(timings, "dense"):
                dense = self.store.nearest(vector, max(k, self.candidates), where=where)
            with stage(timings, "lexical"):
                bm25 = self.lexical.scores(question)
            with stage(timings, "fusion"):
                score = self._base_scores(question, np.where(mask, bm25, 0.0), dense)
                score[~mask] = -np.inf
                order = self._rank(question, score, k)
                chosen = [self.lexical.ids[i] for i in order]
            with stage(timings, "fetch"):
                known = self.store.get(chosen, vector)  # text and metadata of the chosen chunks only
            return [replace(known[c], score=float(score[self._position[c]])) for c in chosen if c in known]

    def _mask(self, filters: Filters) -> np.ndarray:
        """Which chunk positions `filters` admit (remembered until the next refresh)."""
        if filters not in self._masks:
            self._masks[filters] = np.fromiter(
                (filters.admits(m) for m in self._meta), dtype=bool, count=len(self._meta)
            )
        return self._masks[filters]

    def _dense_only(self, vector: np.ndarray, k: int, filters: Filters) -> list[Passage]:
        if not filters.active:
            return self.store.query(vector, k)
        metadata = self.store.metadata_by_id()
        admitted = [filters.admits(m) for m in metadata.values()]
        if not any(admitted):
            return []
        return self.store.query(vector, k, where=_where(list(metadata.values()), np.asarray(admitted)))

    def _base_scores(self, question: str, bm25: np.ndarray, dense: list[tuple[str, float]]) -> np.ndarray:
        lexical_weight, dense_weight = self.weights
        score = lexical_weight * _scaled(bm25)
        high = max((similarity for _, similarity in dense), default=0.0)
        for chunk_id, similarity in dense:  # chunks beyond the candidates count as 0, as unrelated text scores near 0
            if chunk_id in self._position and high > 0:
                score[self._position[chunk_id]] += dense_weight * max(0.0, similarity) / high
        named = text.dates(question) if self.steer else set()
        if named:
            score[_members(self._by_date, named)] += DATE_BONUS
        return score

    def _rank(self, question: str, score: np.ndarray, k: int) -> list[int]:
        """Chunk positions, best first: round-robin over named outlets, then the global order."""
        assert self.lexical is not None
        mentions = self._outlets.mentions(question) if self.steer else []
        ranked: list[int] = []
        if mentions:
            groups = []
            for mention, segment in zip(mentions, segments(question, mentions), strict=True):
                members = _members(self._by_outlet, mention.outlets)
                members = members[np.isfinite(score[members])]  # outside the filters
                boost = SEGMENT_WEIGHT * self.weights[0] * _scaled(self.lexical.scores(segment))[members]
                dated = _members(self._by_date, text.dates(segment))
                if len(dated):
                    boost = boost + SEGMENT_DATE_BONUS * np.isin(members, dated)
                value = score[members] + boost
                best = np.argsort(-value)[:k]
                groups.append(list(zip(value[best].tolist(), members[best].tolist(), strict=True)))
            for round_ in range(k):
                for _, position in sorted((g[round_] for g in groups if round_ < len(g)), reverse=True):
                    if position not in ranked:
                        ranked.append(position)
        for position in np.argsort(-score)[: 2 * k].tolist():
            if position not in ranked and np.isfinite(score[position]):
                ranked.append(position)
        return ranked[:k]


class _ReadWrite:
    """Many readers at once, or one writer (a reload) alone."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._writing)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._writing and not self._readers)
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()


def _names(meta: Iterable[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """The outlets and the authors named in chunk metadata."""
    outlets, authors = set(), set()
    for m in meta:
        outlets.add(str(m.get("outlet", "")))
        authors.add(str(m.get("author", "")))
    return outlets - {""}, authors - {""}


def _where(meta: list[dict[str, Any]], mask: np.ndarray) -> dict[str, Any]:
    """A Chroma `where` admitting the articles of the chunks in `mask` (dates cannot be compared in
    Chroma's metadata, so the filters become the list of articles they admit)."""
    sources = sorted({str(m.get("source_id", "")) for m, admitted in zip(meta, mask, strict=True) if admitted})
    return {"source_id": {"$in": sources}}


def _positions(values: Iterable[str]) -> dict[str, np.ndarray]:
    """For each distinct value, the positions where it occurs (ascending)."""
    groups: dict[str, list[int]] = {}
    for position, value in enumerate(values):
        groups.setdefault(value, []).append(position)
    return {value: np.asarray(positions, dtype=np.intp) for value, positions in groups.items()}


def _members(groups: dict[str, np.ndarray], values: Iterable[str]) -> np.ndarray:
    """Positions of the chunks whose outlet or date (`groups`, from `_positions`) is one of `values`, ascending."""
    found = [groups[v] for v in values if v in groups]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.intp)


def _scaled(values: np.ndarray) -> np.ndarray:
    """Divided by the maximum (BM25 scores are never negative); zeros stay zeros."""
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values


def build_retriever(settings: Settings, embedder: Embedder | None = None) -> Retriever:
    """The retriever for the configured store and collection."""
    embedder = embedder or Embedder.from_model_dir(settings.model_dir)
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    weights = (1.0 - settings.dense_weight, settings.dense_weight)
    return Retriever(
        store, embedder, lexical_dir=settings.lexical_dir, weights=weights, generation_file=settings.generation_file
    )
