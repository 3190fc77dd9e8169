"""Ingest into a real Chroma in tmp_path: idempotent, incremental, honest about what it skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import PROJECT_DIR, Settings
from assistant.retrieval.embed import Embedder
from assistant.retrieval.store import Store
from ingest.index import ingest_paths
from tests.conftest import SEEDS


def _ingest(store: Store, embedder: Embedder, settings: Settings, *paths: Path, prune: bool = False):
    return ingest_paths(
        list(paths),
        store=store,
        embedder=embedder,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        prune=prune,
        progress=False,
    )


def test_ingest__running_twice_changes_nothing(store: Store, embedder: Embedder, settings: Settings) -> None:
    first = _ingest(store, embedder, settings, SEEDS)
    ids_after_first = set(store.metadata_by_id())
    second = _ingest(store, embedder, settings, SEEDS)
    assert (first.articles, first.added, first.embedded) == (3, 3, first.chunks)
    assert (second.unchanged, second.embedded, second.removed) == (3, 0, 0)
    assert set(store.metadata_by_id()) == ids_after_first
    assert store.count() == first.chunks


def test_ingest__changed_article_replaces_its_chunks_and_prune_removes_gone_ones(
    tmp_path: Path, store: Store, embedder: Embedder, settings: Settings
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha\n\nThe first version mentions apples.")
    (folder / "b.txt").write_text("Beta\n\nBananas are yellow.")
    _ingest(store, embedder, settings, folder)
    (folder / "a.txt").write_text("Alpha\n\nThe second version mentions oranges.")
    (folder / "b.txt").unlink()
    report = _ingest(store, embedder, settings, folder, prune=True)
    texts = [text for _, text, _ in store.documents()]
    assert (report.changed, report.embedded, report.removed) == (1, 1, 2)
    assert texts == ["The second version mentions oranges."]


def _run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data_dir), "ANONYMIZED_TELEMETRY": "False"}
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_ingest_cli__skips_a_bad_file_by_name_lands_the_rest_and_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    run = _run_cli(str(SEEDS), str(bad), "--quiet", data_dir=tmp_path / "data")
    stats = json.loads(_run_cli("--stats", data_dir=tmp_path / "data").stdout)
    assert run.returncode == 1
    assert "broken.json" in run.stderr and "invalid JSON" in run.stderr
    assert run.stdout.startswith("Ingested 3 articles")
    assert (stats["articles"], stats["chunks"]) == (3, 8)


def test_ingest_cli__clean_run_exits_zero_with_a_summary_line(tmp_path: Path) -> None:
    run = _run_cli(data_dir=tmp_path / "data")  # default path: seeds/
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("Ingested 3 articles (3 new")
    assert "Ingesting" in run.stderr  # the progress bar
