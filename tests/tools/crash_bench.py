"""`python -m tests.tools.crash_bench --runs 40`: kill -9 a real ingest at random moments, then recover.

Each run starts `ingest` (this module's `--child` mode: the real `ingest_settled` with real MiniLM vectors
looked up from a cache built once, so a run spends its time writing to Chroma, not embedding) into an
empty data directory, kills it with SIGKILL at a random moment of its writing (once a random number of
vectors, uniform up to all of them, is stored, plus up to 1 s, so the BM25 step is hit too; or, with
`--aim`, at the first change of an HNSW index file after that, i.e. while Chroma writes its index), and then
does what the app does at start-up: `ingest.recover.recover_store` (probe in a child process, rebuild
when damaged), then the rerun of the same ingest. Before recovery a copy of the killed store is checked
in full (all but 2% of the stored vectors must be found by a query, as in a clean store) to count the
kills that left the vector index unusable. After the rerun the store must equal a clean run: same ids,
documents and metadata, and pass the same full check.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from assistant.config import PROJECT_DIR, Settings
from assistant.retrieval.embed import Embedder
from ingest.chunk import chunk_article
from ingest.index import ingest_settled
from ingest.load import load_paths
from ingest.recover import recover_store
from tests.fakes import MemoEmbedder

MULTIHOP = PROJECT_DIR.parent / "shared" / "benchmarks" / "multihop-rag" / "corpus.json"


def _settings(data: Path) -> Settings:
    return Settings.from_env().with_(data_dir=data)


def _embedder(cache: Path, settings: Settings) -> MemoEmbedder:
    return MemoEmbedder(lambda: Embedder.from_model_dir(settings.model_dir), cache)


def _child(data: Path, corpus: Path, cache: Path) -> None:
    settings = _settings(data)
    from assistant.retrieval.store import Store

    embedder = _embedder(cache, settings)
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    ingest_settled([corpus], settings=settings, store=store, embedder=embedder, progress=False)  # type: ignore[arg-type]


def _ingest(data: Path, corpus: Path, cache: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.tools.crash_bench", "--child", str(data), str(corpus), str(cache)]
    return subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stored(chroma: Path) -> int:
    """Vectors Chroma has recorded so far (read from its SQLite file; -1 while it is busy or absent)."""
    try:
        with sqlite3.connect(f"file:{chroma / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=0.2) as db:
            return int(db.execute("SELECT count(*) FROM embeddings").fetchone()[0])
    except sqlite3.Error:
        return -1


def _index_files(chroma: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of each file of the stored vector indexes (the HNSW segment folders)."""
    found = {}
    for path in chroma.glob("*-*-*-*-*/*"):
        try:
            stat = path.stat()
        except OSError:
            continue
        found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


def _kill_at(process: subprocess.Popen[bytes], chroma: Path, target: int, jitter_s: float, *, aim: bool) -> bool:
    """SIGKILL once `target` vectors are stored, plus `jitter_s` (or, with `aim`, at the first change of
    a vector index file after that: Chroma is writing its HNSW index); False if the ingest finished first."""
    while _stored(chroma) < target:
        if process.poll() is not None:
            return False
        time.sleep(0.05)
    if aim:
        before = _index_files(chroma)
        while _index_files(chroma) == before:
            if process.poll() is not None:
                return False
            time.sleep(0.002)
    else:
        time.sleep(jitter_s)
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return killed


def _inspect_child(chroma: Path) -> None:
    """Print the chunks, then check that every stored vector is found by a query (exit 1 if not)."""
    import chromadb

    from assistant.retrieval.store import _self_check

    client = chromadb.PersistentClient(path=str(chroma), settings=chromadb.Settings(anonymized_telemetry=False))
    got = client.get_collection("articles").get(include=["documents", "metadatas"])
    chunks = {i: [d, m] for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)}
    print(json.dumps(chunks), flush=True)
    _self_check(str(chroma), "articles", samples=min(3 * len(chunks) + 3, 3000), tolerance=0.02)


def _inspect(chroma: Path) -> tuple[bool, dict[str, list[object]]]:
    """(every vector found, the chunks), read in a child process: a damaged index may crash it."""
    command = [sys.executable, "-m", "tests.tools.crash_bench", "--inspect", str(chroma)]
    try:
        run = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return False, {}
    lines = run.stdout.splitlines()
    return run.returncode == 0, json.loads(lines[0]) if lines else {}


def _prepare(work: Path, articles: int) -> tuple[Path, Path, dict[str, list[object]]]:
    """The corpus, the vector cache and a clean run's chunks."""
    work.mkdir(parents=True, exist_ok=True)
    corpus, cache = work / "corpus.json", work / "vectors.npz"
    corpus.write_text(json.dumps(json.loads(MULTIHOP.read_text())[:articles]))
    settings = _settings(work / "clean")
    chunks = [
        c
        for a in load_paths([corpus]).articles
        for c in chunk_article(a, chunk_tokens=settings.chunk_tokens, overlap=settings.chunk_overlap)
    ]
    print(f"{len(chunks)} chunks; embedding those not cached yet ...", flush=True)
    _embedder(cache, settings).embed([c.indexed_text for c in chunks])
    shutil.rmtree(work / "clean", ignore_errors=True)
    assert _ingest(work / "clean", corpus, cache).wait() == 0, "the clean ingest failed"
    usable, clean = _inspect(work / "clean" / "chroma")
    assert usable and clean, "the clean store does not pass its own check"
    return corpus, cache, clean


def _one_run(
    work: Path, corpus: Path, cache: Path, clean: dict[str, list[object]], target: int, jitter_s: float, aim: bool
) -> dict[str, int]:
    data = work / "run"
    shutil.rmtree(data, ignore_errors=True)
    killed = _kill_at(_ingest(data, corpus, cache), data / "chroma", target, jitter_s, aim=aim)
    copy = work / "copy"
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run(["cp", "-a", "--sparse=always", str(data / "chroma"), str(copy)], check=False)
    unusable = copy.exists() and not _inspect(copy)[0]
    message = recover_store(_settings(data), _embedder(cache, _settings(data)))  # type: ignore[arg-type]
    rerun_ok = _ingest(data, corpus, cache).wait() == 0
    sound, after = _inspect(data / "chroma")
    extra, lost = set(after) - set(clean), set(clean) - set(after)
    changed = sum(1 for i in set(after) & set(clean) if after[i] != clean[i])
    return {
        "killed": int(killed),
        "unusable": int(unusable),
        "detected": int(message is not None),
        "recovered": int(rerun_ok and sound and not extra and not lost and not changed),
        "duplicates": len(extra),
        "lost": len(lost),
        "changed": changed,
        "unsound_after": int(not sound),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--articles", type=int, default=270, help="MultiHop articles to ingest (~15 chunks each)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/crash_bench"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--aim", action="store_true", help="kill when the vector index files are being written")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inspect", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    if args.inspect:
        _inspect_child(args.inspect)
        return 0
    corpus, cache, clean = _prepare(args.work, args.articles)
    when = "at the next write of a vector index file" if args.aim else "+ 0-1 s"
    print(f"clean run: {len(clean)} chunks; kill -9 once uniform(0, {len(clean)}) are stored, {when}", flush=True)
    rng, totals = random.Random(args.seed), dict.fromkeys(["killed", "unusable", "detected", "recovered"], 0)
    totals |= {"duplicates": 0, "lost": 0, "changed": 0, "unsound_after": 0}
    for run in range(1, args.runs + 1):
        target, jitter_s = rng.randint(0, len(clean)), rng.uniform(0.0, 1.0)
        result = _one_run(args.work, corpus, cache, clean, target, jitter_s, args.aim)
        totals = {k: totals[k] + result[k] for k in totals}
        after = "index write" if args.aim else f"{jitter_s:.2f} s"
        print(f"run {run:3d}: kill after {target:5d} vectors + {after} {json.dumps(result)}", flush=True)
    print(f"runs {args.runs}; " + "; ".join(f"{k} {v}" for k, v in totals.items()))
    print(f"vector index unusable after the kill: {totals['unusable']}, detected at start-up: {totals['detected']}")
    return 0 if totals["recovered"] == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
