"""Retrieval: the question is embedded and the nearest chunks come back from Chroma, best first.

Dense only for now; it does not filter by outlet or date and does not rerank.
"""

from __future__ import annotations

from assistant.embed import Embedder
from assistant.store import Store
from assistant.types import Passage


class Retriever:
    """Finds the passages most related to a question."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder

    def retrieve(self, question: str, k: int = 10) -> list[Passage]:
        """The `k` best passages for `question`, best first."""
        return self.store.query(self.embedder.embed_one(question), k)
