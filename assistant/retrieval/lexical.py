"""The lexical (BM25) index: bm25s (k1 0.9, b 0.4, tuned on MultiHop-RAG) with an English stemmer,
persisted next to the Chroma data.

It is derived from the store's chunks and kept in step by ingest: chunks already tokenised are reused,
so an update only tokenises what is new, and a query never rebuilds anything. On load it checks that it
describes the same chunk ids as the store and says so when it does not (the caller rebuilds it). It
does not index anything the store does not hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from assistant.retrieval.store import Store

SEARCH_FIELDS_SEPARATOR = " | "


def search_header(meta: Mapping[str, Any]) -> str:
    """The line searched with every chunk of an article: "title | outlet | YYYY-MM-DD" (from its metadata)."""
    fields = (str(meta.get("title", "")), str(meta.get("outlet", "")), str(meta.get("published_at", ""))[:10])
    return SEARCH_FIELDS_SEPARATOR.join(f for f in fields if f)


def indexed_text(text: str, meta: Mapping[str, Any]) -> str:
    """What is embedded and searched for a chunk: its article's `search_header`, then its text."""
    return f"{search_header(meta)}\n{text}"


def ids_digest(ids: Iterable[str]) -> str:
    """A fingerprint of a set of chunk ids."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode() + b"\n")
    return digest.hexdigest()


class LexicalIndex:
    """BM25 over chunk texts (with their search header), searchable by query string."""

    def __init__(self, ids: list[str], tokens: list[list[str]], *, k1: float = 0.9, b: float = 0.4) -> None:
        import bm25s

        self.ids = ids
        self.tokens = tokens
        self._params = {"k1": k1, "b": b}
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        self._vocabulary: set[str] = {t for row in tokens for t in row}
        if ids:
            self._bm25.index(_as_tokenized(tokens), show_progress=False)

    @classmethod
    def build(cls, chunks: Iterable[tuple[str, str]], *, reuse: LexicalIndex | None = None) -> LexicalIndex:
        """Index (chunk id, text) pairs; tokens of ids already in `reuse` are not recomputed."""
        known = dict(zip(reuse.ids, reuse.tokens, strict=True)) if reuse else {}
        ids, tokens = [], []
        for chunk_id, text in chunks:
            ids.append(chunk_id)
            tokens.append(known.get(chunk_id) or tokenize([text])[0])
        return cls(ids, tokens)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (in `ids` order) for `query`; zeros when nothing matches."""
        query_tokens = [t for t in tokenize([query])[0] if t in self._vocabulary]
        if not self.ids or not query_tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)

    def knows(self, text: str) -> bool:
        """True when every token of `text` occurs somewhere in the index (False for no tokens)."""
        tokens = tokenize([text])[0]
        return bool(tokens) and all(t in self._vocabulary for t in tokens)

    def save(self, directory: Path) -> None:
        """Write atomically: a reader sees the old index or the new one, never half of one."""
        staging = directory.with_name(directory.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        payload = {"ids": self.ids, "tokens": self.tokens, "params": self._params, "digest": ids_digest(self.ids)}
        (staging / "index.json").write_text(json.dumps(payload))
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(staging, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> tuple[LexicalIndex, str] | None:
        """The saved index and the digest of the ids it was built from, or None if there is none."""
        for candidate in (directory, directory.with_name(directory.name + ".old")):
            try:
                payload = json.loads((candidate / "index.json").read_text())
            except (OSError, ValueError):
                continue
            return cls(payload["ids"], payload["tokens"], **payload["params"]), payload["digest"]
        return None


def sync(directory: Path, store: Store) -> LexicalIndex:
    """The index for `store`'s chunks: loaded when it matches them, else updated from them and saved."""
    documents = list(store.documents())
    digest = ids_digest(chunk_id for chunk_id, _, _ in documents)
    loaded = LexicalIndex.load(directory)
    if loaded and loaded[1] == digest:
        return loaded[0]
    index = LexicalIndex.build(
        ((chunk_id, indexed_text(text, meta)) for chunk_id, text, meta in documents),
        reuse=loaded[0] if loaded else None,
    )
    index.save(directory)
    return index


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, Snowball-stemmed English tokens."""
    import bm25s
    import Stemmer

    result = bm25s.tokenize(
        texts, stopwords="en", stemmer=_stemmer(Stemmer), return_ids=False, show_progress=False, allow_empty=True
    )
    return [list(t) for t in result]  # type: ignore[union-attr]


_STEMMER = None


def _stemmer(module: object) -> object:
    global _STEMMER
    if _STEMMER is None:
        _STEMMER = module.Stemmer("english")  # type: ignore[attr-defined]
    return _STEMMER.stemWords  # type: ignore[attr-defined]


def _as_tokenized(tokens: list[list[str]]) -> object:
    """bm25s wants ids plus a vocabulary; build them from token strings."""
    import bm25s

    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in row] for row in tokens]
    return bm25s.tokenization.Tokenized(ids=ids, vocab=vocab)
