"""Start-up repair: a store whose vector index no longer loads is set aside and rebuilt from its sources.

A `kill -9` during a write can leave Chroma's HNSW files damaged while its SQLite data survives; the
index is then unusable (an error, a hang or a segfault on open). `store.probe` finds that in a child
process; this module moves the damaged store to `chroma.damaged` (replacing an older one) and
re-ingests the recorded sources, or the seeds folder when none were recorded. Articles whose source
files have gone are not recovered; the message names how many sources were missing.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from assistant.config import Settings
from assistant.retrieval.embed import Embedder
from assistant.retrieval.store import Store, probe
from ingest.index import ingest_settled, recorded_sources
from ingest.lock import writer_lock


def recover_store(settings: Settings, embedder: Embedder | None = None) -> str | None:
    """Check the store's vector index; rebuild it when it is damaged. Returns a message saying so, or None."""
    problem = probe(settings)
    if problem is None:
        return None
    with writer_lock(settings.data_dir):
        damaged = settings.chroma_dir.with_name(settings.chroma_dir.name + ".damaged")
        shutil.rmtree(damaged, ignore_errors=True)
        settings.chroma_dir.rename(damaged)
    sources = recorded_sources(settings.data_dir) or [settings.seeds_dir]
    present = [path for path in sources if path.exists()]
    embedder = embedder or Embedder.from_model_dir(settings.model_dir)
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    report = ingest_settled(present, settings=settings, store=store, embedder=embedder, progress=False)
    store.close()  # the caller opens the rebuilt store afresh
    gone = f"; {len(sources) - len(present)} recorded sources are missing" if len(present) < len(sources) else ""
    message = (
        f"The vector index in {settings.chroma_dir} could not be used ({problem}). It was moved to "
        f"{damaged.name} and rebuilt from {_names(present)}: {report.summary()}{gone}."
    )
    logging.getLogger(__name__).warning(message)
    return message


def _names(paths: list[Path]) -> str:
    shown = ", ".join(str(p) for p in paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
