"""Indexing: load, chunk, embed only what changed, upsert into Chroma, then drop stale chunks.

Idempotent by construction: chunk ids are stable, unchanged chunks are never embedded again, and new
chunks are written before an article's old ones are deleted, so an interrupted run is completed by the
next one. `ingest_settled` is the entry point for writers: it holds the writer lock, records the
sources (so a damaged store can be rebuilt from them) and stamps the generation file that running
retrievers watch. It does not watch folders or schedule itself.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.config import Settings
from assistant.retrieval import lexical
from assistant.retrieval.embed import Embedder
from assistant.retrieval.store import Store
from ingest.chunk import Chunk, chunk_article
from ingest.load import Problem, load_paths
from ingest.lock import writer_lock

EMBED_BATCH = 64
SOURCES_FILE = "sources.json"


@dataclass
class IngestReport:
    """What one ingest run did."""

    articles: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    chunks: int = 0
    embedded: int = 0
    removed: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{self.articles} articles ({self.added} new, {self.changed} changed, {self.unchanged} unchanged), "
            f"{self.chunks} chunks ({self.embedded} embedded, {self.removed} removed) in {self.seconds:.1f} s"
            + (f"; {len(self.problems)} skipped" if self.problems else "")
        )


def ingest_paths(
    paths: Iterable[Path],
    *,
    store: Store,
    embedder: Embedder,
    chunk_tokens: int,
    chunk_overlap: int,
    lexical_dir: Path | None = None,
    prune: bool = False,
    progress: bool = True,
) -> IngestReport:
    """Bring the store (and the BM25 index in `lexical_dir`) in line with the articles under `paths`;
    with `prune`, drop articles that are not there."""
    started = time.perf_counter()
    loaded = load_paths(paths)
    report = IngestReport(articles=len(loaded.articles), problems=loaded.problems)
    stored = _ids_by_source(store)
    writer = _Writer(store, embedder)
    for article in tqdm(loaded.articles, desc="Ingesting", unit="article", disable=not progress):
        chunks = chunk_article(article, chunk_tokens=chunk_tokens, overlap=chunk_overlap)
        old_ids = stored.pop(article.source_id, set())
        new = [c for c in chunks if c.id not in old_ids]
        stale = old_ids - {c.id for c in chunks}
        report.chunks += len(chunks)
        if not new and not stale:
            report.unchanged += 1
            continue
        if old_ids:
            report.changed += 1
        else:
            report.added += 1
        writer.add(new, stale)
    if prune:
        writer.add([], {chunk_id for ids in stored.values() for chunk_id in ids})
    writer.flush()
    if lexical_dir is not None:
        lexical.sync(lexical_dir, store)  # after the vectors: a rerun after a crash brings it in line
    report.embedded, report.removed = writer.embedded, writer.removed
    report.seconds = time.perf_counter() - started
    return report


def ingest_settled(
    paths: list[Path],
    *,
    settings: Settings,
    store: Store,
    embedder: Embedder,
    prune: bool = False,
    progress: bool = True,
) -> IngestReport:
    """`ingest_paths` under the writer lock; records `paths` as sources and, when the chunks changed,
    stamps the generation file and the collection's change marker."""
    with writer_lock(settings.data_dir):
        _record_sources(settings.data_dir / SOURCES_FILE, paths, replace=prune)
        report = ingest_paths(
            paths,
            store=store,
            embedder=embedder,
            chunk_tokens=settings.chunk_tokens,
            chunk_overlap=settings.chunk_overlap,
            lexical_dir=settings.lexical_dir,
            prune=prune,
            progress=progress,
        )
        if report.embedded or report.removed:  # running apps reload: this process's through the file, every
            settings.generation_file.write_text(f"{uuid.uuid4().hex}\n")  # replica of a Chroma server through
            store.mark_changed()  # the collection's marker
    return report


def recorded_sources(data_dir: Path) -> list[Path]:
    """The files and folders ingested into the store under `data_dir` (empty if none were recorded)."""
    try:
        return [Path(p) for p in json.loads((data_dir / SOURCES_FILE).read_text())]
    except (OSError, ValueError):
        return []


def ensure_seeded(store: Store, embedder: Embedder, settings: Settings) -> IngestReport | None:
    """Ingest the seeds folder when the store is empty (first start); None when there was nothing to do."""
    if store.count():
        return None
    return ingest_settled([settings.seeds_dir], settings=settings, store=store, embedder=embedder)


def _record_sources(file: Path, paths: list[Path], *, replace: bool) -> None:
    known = [] if replace else [str(p) for p in recorded_sources(file.parent)]
    added = [str(p.resolve()) for p in paths]
    file.write_text(json.dumps(sorted(set(known) | set(added)), indent=1))


def _ids_by_source(store: Store) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for chunk_id, meta in store.metadata_by_id().items():
        grouped[str(meta.get("source_id", ""))].add(chunk_id)
    return grouped


class _Writer:
    """Batches chunks for embedding; deletes stale ids only after their replacements are stored."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
        self._store = store
        self._embedder = embedder
        self._pending: list[Chunk] = []
        self._stale: set[str] = set()
        self.embedded = 0
        self.removed = 0

    def add(self, chunks: list[Chunk], stale: set[str]) -> None:
        self._pending.extend(chunks)
        self._stale |= stale
        if len(self._pending) >= EMBED_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            vectors = self._embedder.embed([c.indexed_text for c in self._pending])
            self._store.upsert(
                [c.id for c in self._pending],
                vectors,
                [c.text for c in self._pending],
                [c.metadata for c in self._pending],
            )
            self.embedded += len(self._pending)
            self._pending = []
        if self._stale:
            self._store.delete(sorted(self._stale))
            self.removed += len(self._stale)
            self._stale = set()
