"""`python -m ingest [PATH ...] [--prune] [--stats]`: index articles into the store.

Exit status: 0 when everything loaded, 1 when some files or records were skipped (each is named on
stderr), 2 when the run could not happen at all (the message says why).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.retrieval.embed import Embedder
from assistant.retrieval.store import Store
from ingest.index import ingest_settled
from ingest.recover import recover_store


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the seeds folder)")
    parser.add_argument("--prune", action="store_true", help="remove articles that are not under PATH any more")
    parser.add_argument("--stats", action="store_true", help="print one JSON line describing the store and exit")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        embedder = Embedder.from_model_dir(settings.model_dir)
        recover_store(settings, embedder)  # a vector index damaged by a crash is rebuilt first, with a message
        store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
        if args.stats:
            print(json.dumps(stats(store, settings)))
            return 0
        report = ingest_settled(
            args.paths or [settings.seeds_dir],
            settings=settings,
            store=store,
            embedder=embedder,
            prune=args.prune,
            progress=not args.quiet,
        )
    except AssistantError as error:
        print(f"ingest: {error}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"Ingested {report.summary()}.")
    return 1 if report.problems else 0


def stats(store: Store, settings: Settings) -> dict[str, object]:
    """Counts and identity of the store, as printed by `--stats`."""
    metadata = store.metadata_by_id()
    sources = {str(meta.get("source_id")) for meta in metadata.values()}
    where = (
        f"http://{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.chroma_dir)
    )
    return {
        "articles": len(sources),
        "chunks": len(metadata),
        "collection": settings.collection,
        "store": where,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
    }


if __name__ == "__main__":
    sys.exit(main())
