"""The only module that imports chromadb: an embedded PersistentClient or a Chroma server.

Vectors are always computed by our own embedder and passed in; Chroma's default embedding function
(which downloads a model at run time) is never used. The collection records the embedding model and
dimension it was built with, and refuses to open with a different one. `probe` checks in a child
process that an embedded store's vector index loads and answers (a damaged HNSW file can crash the
process that opens it); repairing a damaged store is ingest's job (ingest/recover.py).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import StoreError
from assistant.isolate import run_isolated
from assistant.types import Passage

GENERATION = "generation"  # collection metadata key: changes with every ingest that changed the chunks


class Store:
    """One Chroma collection of article chunks."""

    def __init__(self, collection: Any, client: Any, reopen: Any = None) -> None:
        self._collection = collection
        self._client = client
        self._reopen = reopen

    @classmethod
    def open(cls, settings: Settings, *, embed_model: str, dimension: int) -> Store:
        """Open (creating if needed) the collection named in `settings`."""
        client = _client(settings)
        try:
            collection = client.get_or_create_collection(
                settings.collection,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embed_model": embed_model, "dimension": dimension},
            )
        except Exception as error:  # chromadb raises many types; all mean "cannot use the store"
            raise StoreError(f"Cannot open the article store: {error}") from error
        recorded = collection.metadata or {}
        if recorded.get("embed_model") != embed_model or recorded.get("dimension") != dimension:
            raise StoreError(
                f"The collection '{settings.collection}' was built with {recorded.get('embed_model')} "
                f"({recorded.get('dimension')} dimensions), not {embed_model} ({dimension}). "
                "Use another ASSISTANT_COLLECTION or delete the data directory and ingest again."
            )
        return cls(collection, client, lambda: cls.open(settings, embed_model=embed_model, dimension=dimension))

    def reopen(self) -> Store:
        """A fresh handle on the same collection that sees other processes' writes; this one is closed."""
        if self._reopen is None:
            return self
        self.close()
        return self._reopen()  # type: ignore[no-any-return]

    def close(self) -> None:
        """Release the client (an embedded store's files are reread by the next open)."""
        self._client.close()

    def generation(self) -> str:
        """The change marker in the collection's metadata, as the store holds it now (a server's other
        clients see an ingest through it); "" before the first ingest that set one."""
        with _chroma_errors():
            current = self._client.get_collection(self._collection.name, embedding_function=None)
        return str((current.metadata or {}).get(GENERATION, ""))

    def mark_changed(self) -> None:
        """Set a new change marker (after an ingest that changed the chunks)."""
        metadata = {k: v for k, v in (self._collection.metadata or {}).items() if not k.startswith("hnsw:")}
        metadata[GENERATION] = uuid.uuid4().hex
        with _chroma_errors():
            self._collection.modify(metadata=metadata)

    def count(self) -> int:
        """Number of chunks stored."""
        with _chroma_errors():
            return int(self._collection.count())

    def metadata_by_id(self) -> dict[str, dict[str, Any]]:
        """Every chunk id with its metadata (no documents, no vectors)."""
        result: dict[str, dict[str, Any]] = {}
        for ids, _, metadatas in self._pages(include=["metadatas"]):
            result.update(zip(ids, metadatas, strict=True))
        return result

    def documents(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk as (id, text, metadata)."""
        for ids, documents, metadatas in self._pages(include=["documents", "metadatas"]):
            yield from zip(ids, documents, metadatas, strict=True)

    def records(self, *, size: int = 1000) -> Iterator[tuple[str, str, dict[str, Any], np.ndarray]]:
        """Every chunk as (id, text, metadata, vector)."""
        offset = 0
        while True:
            page = self._collection.get(include=["documents", "metadatas", "embeddings"], limit=size, offset=offset)
            if not page["ids"]:
                return
            rows = zip(page["ids"], page["documents"], page["metadatas"], page["embeddings"], strict=True)
            for chunk_id, text, meta, vector in rows:
                yield chunk_id, text, dict(meta), np.asarray(vector, dtype=np.float32)
            offset += len(page["ids"])

    def upsert(
        self, ids: Sequence[str], vectors: np.ndarray, documents: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> None:
        """Insert or replace chunks, in batches the server accepts."""
        step = max(1, min(1000, self._client.get_max_batch_size()))
        for start in range(0, len(ids), step):
            end = start + step
            with _chroma_errors():
                self._collection.upsert(
                    ids=list(ids[start:end]),
                    embeddings=vectors[start:end],
                    documents=list(documents[start:end]),
                    metadatas=list(metadatas[start:end]),
                )

    def delete(self, ids: Sequence[str]) -> None:
        """Remove chunks by id."""
        if ids:
            with _chroma_errors():
                self._collection.delete(ids=list(ids))

    def query(self, vector: np.ndarray, k: int, *, where: dict[str, Any] | None = None) -> list[Passage]:
        """The `k` chunks nearest to `vector` (among those `where` admits), best first, scored by cosine
        similarity."""
        if k <= 0 or self.count() == 0:
            return []
        with _chroma_errors():
            result = self._collection.query(
                query_embeddings=[vector], n_results=k, where=where, include=["documents", "metadatas", "distances"]
            )
        rows = zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        )
        return [to_passage(chunk_id, text, meta, 1.0 - float(distance)) for chunk_id, text, meta, distance in rows]

    def nearest(self, vector: np.ndarray, k: int, *, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `k` chunks nearest to `vector` (among those `where` admits),
        best first. Cheaper than `query`: no text or metadata is read (on 7,917 MultiHop chunks, 2.5 ms
        against 11.5 ms for 100)."""
        if k <= 0:
            return []
        with _chroma_errors():  # no count() first: it costs as much as the search, and an empty store returns []
            result = self._collection.query(query_embeddings=[vector], n_results=k, where=where, include=["distances"])
        rows = zip(result["ids"][0], result["distances"][0], strict=True)
        return [(chunk_id, 1.0 - float(distance)) for chunk_id, distance in rows]

    def get(self, ids: Sequence[str], vector: np.ndarray) -> dict[str, Passage]:
        """Chunks by id (found by another retriever), scored by cosine similarity to `vector`."""
        if not ids:
            return {}
        with _chroma_errors():
            result = self._collection.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        rows = zip(result["ids"], result["documents"], result["metadatas"], result["embeddings"], strict=True)
        return {
            chunk_id: to_passage(chunk_id, text, meta, float(np.dot(np.asarray(embedding), vector)))
            for chunk_id, text, meta, embedding in rows
        }

    def _pages(self, *, include: list[str], size: int = 2000) -> Iterator[tuple[list[str], list[Any], list[Any]]]:
        offset = 0
        while True:
            with _chroma_errors():
                page = self._collection.get(include=include, limit=size, offset=offset)
            if not page["ids"]:
                return
            documents = page.get("documents") or [""] * len(page["ids"])
            yield page["ids"], documents, page["metadatas"]
            offset += len(page["ids"])


@contextmanager
def _chroma_errors() -> Iterator[None]:
    """chromadb's own errors as a StoreError a person can act on (the cause stays chained for the log)."""
    from chromadb.errors import ChromaError

    try:
        yield
    except ChromaError as error:
        raise StoreError(
            "The article store could not be read or written; if this persists, restart the app "
            "(a damaged vector index is rebuilt at start-up)."
        ) from error


def to_passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    """A Passage from a stored chunk, `score` being its cosine similarity to the question."""
    return Passage(
        text=text,
        source_id=str(meta.get("source_id", "")),
        title=str(meta.get("title", "")),
        score=score,
        similarity=score,
        chunk_id=chunk_id,
        chunk_index=int(meta.get("chunk_index", 0)),
        outlet=str(meta.get("outlet", "")),
        author=str(meta.get("author", "")),
        published_at=str(meta.get("published_at", "")),
        url=str(meta.get("url", "")),
    )


def open_collection(directory: Path, name: str) -> Any:
    """A bare embedded Chroma collection, for third-party code (the benchmark's llama-index baseline)."""
    import chromadb

    directory.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(directory), settings=chromadb.Settings(anonymized_telemetry=False))
    return client.get_or_create_collection(name)


def probe(settings: Settings, *, timeout_s: float = 120.0) -> str | None:
    """Why the embedded store's vector index cannot be used, or None when it loads and finds its own
    vectors; checked in a child process, so a crash or a hang there cannot take this process down."""
    if settings.chroma_host or not (settings.chroma_dir / "chroma.sqlite3").exists():
        return None
    code = "import sys; from assistant.retrieval.store import _self_check; _self_check(sys.argv[1], sys.argv[2])"
    args = ["-c", code, str(settings.chroma_dir), settings.collection]
    failure = run_isolated(args, doing="opening it", timeout_s=timeout_s)
    return None if failure is None else failure.text


def _self_check(path: str, collection: str, samples: int = 24, tolerance: float = 0.25) -> None:
    """Run in the probe's child: open the collection, query with stored vectors, expect to get them back.

    HNSW is approximate: a healthy index leaves a few vectors unreachable (3 of 1,159 in one clean store),
    so up to `tolerance` of those checked may be missed; a damaged one errors out or misses most.
    Before opening it, the index files' sizes are checked: the upper-layer links (`link_lists.bin`, a
    few bytes for about one vector in 16) can never outgrow the vectors themselves (`data_level0.bin`);
    a larger one is damage that may crash the process only on some queries."""
    import chromadb

    for segment in Path(path).glob("*-*-*-*-*"):
        links, vectors = segment / "link_lists.bin", segment / "data_level0.bin"
        if not (links.is_file() and vectors.is_file()):
            continue
        links_size, vectors_size = links.stat().st_size, vectors.stat().st_size
        if links_size > max(vectors_size, 1 << 20):
            sys.exit(
                f"the vector index file {segment.name}/link_lists.bin ({links_size:,} bytes) is larger "
                f"than its vectors ({vectors_size:,} bytes): it is damaged"
            )

    client = chromadb.PersistentClient(path=path, settings=chromadb.Settings(anonymized_telemetry=False))
    if collection not in {c.name for c in client.list_collections()}:
        return
    found = client.get_collection(collection)
    total = found.count()
    checked, missed = 0, 0
    for offset in sorted({0, total // 2, max(0, total - samples // 3)} if total else set()):
        page = found.get(limit=samples // 3, offset=offset, include=["embeddings"])
        result = found.query(query_embeddings=page["embeddings"], n_results=min(10, total), include=["distances"])
        for own, near, distance in zip(page["ids"], result["ids"], result["distances"] or [], strict=True):
            checked += 1
            missed += own not in near and (not distance or distance[0] > 1e-4)
    if missed > tolerance * checked:
        sys.exit(f"the vector index misses {missed} of {checked} stored vectors: it is damaged or incomplete")


def _client(settings: Settings) -> Any:
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as error:
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.chroma_dir)
        raise StoreError(f"Cannot reach the Chroma store at {where}: {error}") from error
