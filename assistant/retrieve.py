"""Hybrid retrieval: dense search in Chroma and BM25, fused, best first.

Each retriever proposes `candidates` chunks; the lists are fused by weighted reciprocal rank, and every
passage carries its cosine similarity to the question (what the engine uses to decline). The BM25 index
is read from disk (ingest keeps it current) and reloaded by `refresh()`; a query never rebuilds it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from assistant import lexical
from assistant.config import Settings
from assistant.embed import Embedder
from assistant.store import Store
from assistant.types import Passage

RRF_K = 60


class Retriever:
    """Finds the passages most related to a question."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        lexical_dir: Path | None = None,
        candidates: int = 50,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexical_dir = lexical_dir
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.lexical: lexical.LexicalIndex | None = None
        self.refresh()

    def refresh(self) -> None:
        """Reload the BM25 index (after an ingest); rebuild it from the store if it is out of step."""
        if self.lexical_dir is not None:
            self.lexical = lexical.sync(self.lexical_dir, self.store)

    def describe(self) -> str:
        """One line saying how this retriever ranks."""
        if self.lexical is None:
            return "dense (MiniLM int8, cosine)"
        return (
            f"hybrid: dense (MiniLM int8) × {self.dense_weight} + BM25 (bm25s, Snowball) × {self.lexical_weight}, "
            f"reciprocal-rank fusion over {self.candidates} candidates each"
        )

    def retrieve(self, question: str, k: int = 10) -> list[Passage]:
        """The `k` best passages for `question`, best first."""
        vector = self.embedder.embed_one(question)
        dense = self.store.query(vector, max(k, self.candidates))
        if self.lexical is None:
            return dense[:k]
        found = self.lexical.search(question, max(k, self.candidates))
        fused: dict[str, float] = defaultdict(float)
        for rank, passage in enumerate(dense, start=1):
            fused[passage.chunk_id] += self.dense_weight / (RRF_K + rank)
        for rank, (chunk_id, _) in enumerate(found, start=1):
            fused[chunk_id] += self.lexical_weight / (RRF_K + rank)
        best = sorted(fused, key=lambda chunk_id: -fused[chunk_id])[:k]
        known = {p.chunk_id: p for p in dense}
        known |= self.store.get([chunk_id for chunk_id in best if chunk_id not in known], vector)
        return [replace(known[chunk_id], score=fused[chunk_id]) for chunk_id in best if chunk_id in known]


def build_retriever(settings: Settings, embedder: Embedder | None = None) -> Retriever:
    """The retriever for the configured store and collection."""
    embedder = embedder or Embedder.from_model_dir(settings.model_dir)
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    return Retriever(store, embedder, lexical_dir=settings.lexical_dir)
