"""The store survives damage: a broken vector index is found at start-up and rebuilt; one writer at a
time, and the holder is named; a running retriever sees another process's ingest."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from assistant.config import PROJECT_DIR, Settings
from assistant.errors import StoreError
from assistant.retrieval import retrieve
from assistant.retrieval.embed import Embedder
from assistant.retrieval.retrieve import build_retriever
from assistant.retrieval.store import Store, probe
from ingest.index import ingest_settled
from ingest.lock import writer_lock
from ingest.recover import recover_store
from tests.conftest import SEEDS, free_port, make_settings, wait_for_http

FILLER = 1200  # more than Chroma's HNSW sync threshold (1000), so the index files are written in full


def _segment(settings: Settings) -> Path:
    (segment,) = [p for p in settings.chroma_dir.iterdir() if p.is_dir()]
    return segment


def _truncate_pickle(segment: Path) -> None:
    with (segment / "index_metadata.pickle").open("r+b") as file:
        file.truncate(100)


def _garbage_header(segment: Path) -> None:
    (segment / "header.bin").write_bytes(np.random.default_rng(1).bytes(100))


def _truncate_vectors(segment: Path) -> None:
    with (segment / "data_level0.bin").open("r+b") as file:
        file.truncate(file.seek(0, 2) // 3)


def _huge_sparse_links(segment: Path) -> None:
    with (segment / "link_lists.bin").open("r+b") as file:
        file.truncate(882 * 2**30)  # sparse: no disk space is used
    size = (segment / "length.bin").stat().st_size
    (segment / "length.bin").write_bytes(np.random.default_rng(2).bytes(size))


def _chunks(store: Store) -> dict[str, tuple[str, dict[str, object]]]:
    return {chunk_id: (text, meta) for chunk_id, text, meta in store.documents()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Settings, dict[str, object]]:
    """A store holding the seeds (ingested, so recorded as sources) plus filler vectors; and the seeds alone."""
    settings = make_settings(tmp_path_factory.mktemp("built") / "data")
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    ingest_settled([SEEDS], settings=settings, store=store, embedder=embedder, progress=False)
    seeds_only = _chunks(store)
    vectors = np.random.default_rng(0).normal(size=(FILLER, embedder.dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"filler:{i}" for i in range(FILLER)]
    store.upsert(ids, vectors, ["filler"] * FILLER, [{"source_id": "filler"}] * FILLER)
    store.close()
    assert (_segment(settings) / "index_metadata.pickle").exists()
    return settings, dict(seeds_only)


def test_probe__a_healthy_store_passes(built: tuple[Settings, dict[str, object]]) -> None:
    assert probe(built[0]) is None


@pytest.mark.parametrize(
    "damage", [_truncate_pickle, _garbage_header, _truncate_vectors, _huge_sparse_links], ids=lambda f: f.__name__
)
def test_recover_store__a_damaged_index_is_detected_and_rebuilt_from_the_sources(
    built: tuple[Settings, dict[str, object]], tmp_path: Path, embedder: Embedder, damage: Callable[[Path], None]
) -> None:
    original, seeds_only = built
    settings = original.with_(data_dir=tmp_path / "data")
    shutil.copytree(original.data_dir, settings.data_dir)
    damage(_segment(settings))
    assert probe(settings) is not None
    message = recover_store(settings, embedder)
    assert message is not None and "rebuilt from" in message and str(SEEDS) in message
    assert probe(settings) is None
    assert (settings.data_dir / "chroma.damaged").is_dir()
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    assert _chunks(store) == seeds_only  # the recorded source's chunks, each once; the filler had no source


def test_store__a_damaged_index_read_by_an_open_store_is_a_store_error(
    built: tuple[Settings, dict[str, object]], tmp_path: Path, embedder: Embedder
) -> None:
    settings = built[0].with_(data_dir=tmp_path / "data")
    shutil.copytree(built[0].data_dir, settings.data_dir)
    _truncate_pickle(_segment(settings))
    store = Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)
    with pytest.raises(StoreError, match="restart the app"):
        store.count()
    store.close()


@pytest.mark.model
@pytest.mark.server
@pytest.mark.slow
def test_app_start__rebuilds_a_damaged_store_and_says_so(
    built: tuple[Settings, dict[str, object]], tmp_path: Path
) -> None:
    """`python app.py` on a store whose index cannot load: it starts, says so, and retrieves."""
    from gradio_client import Client

    data = tmp_path / "data"
    shutil.copytree(built[0].data_dir, data)
    _truncate_pickle(_segment(make_settings(data)))
    port, log = free_port(), tmp_path / "app.log"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_LLM": "openai", "ANONYMIZED_TELEMETRY": "False"}
    with log.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_DIR, env=env, stdout=out, stderr=out
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", app, log, timeout_s=180)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        passages = client.predict("Iranian-backed militias", 3, api_name="/retrieve")
    finally:
        app.terminate()
        app.wait(timeout=30)
    text = log.read_text()
    assert "could not be used" in text and "rebuilt from" in text
    assert passages and all(p["source_id"] != "filler" for p in passages)


def test_writer_lock__a_second_ingest_names_the_holder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False"}
    with writer_lock(data):
        run = subprocess.run(
            [sys.executable, "-m", "ingest", "--quiet"], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
        )
    assert run.returncode == 2
    assert f"Another ingest is running (pid {os.getpid()} on {socket.gethostname()}, started " in run.stderr


def test_retriever__sees_an_ingest_by_another_process(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "data")
    retriever = build_retriever(settings, embedder)
    ingest_settled([SEEDS], settings=settings, store=retriever.store, embedder=embedder, progress=False)
    retriever.refresh()
    article = tmp_path / "new" / "zorblax.txt"
    article.parent.mkdir()
    article.write_text("Zorblax festival opens\n\nThe Zorblax festival in Quentown drew 12,000 visitors on Sunday.\n")
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "ANONYMIZED_TELEMETRY": "False"}
    run = subprocess.run([sys.executable, "-m", "ingest", str(article.parent), "--quiet"], cwd=PROJECT_DIR, env=env)
    assert run.returncode == 0
    question = "How many visitors did the Zorblax festival in Quentown draw?"
    monkeypatch.setattr(retrieve, "RELOAD_CHECK_S", 3600.0)  # not checked yet: the open client is blind to it
    assert "Zorblax" not in " ".join(p.title for p in retriever.retrieve(question, 3))
    monkeypatch.setattr(retrieve, "RELOAD_CHECK_S", 0.0)
    assert retriever.retrieve(question, 1)[0].title == "Zorblax festival opens"
