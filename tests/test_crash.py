"""A real `kill -9` in the middle of a real ingest, then a rerun: exactly the chunks of a clean run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import PROJECT_DIR
from assistant.retrieval.lexical import LexicalIndex, ids_digest
from tests.conftest import MULTIHOP, make_settings

pytestmark = [pytest.mark.slow]

ARTICLES = 40


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ANONYMIZED_TELEMETRY": "False"}


def _ingest(corpus: Path, data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", str(corpus), "--quiet"],
        cwd=PROJECT_DIR,
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _chunks(data: Path) -> dict[str, list[object]]:
    """Every chunk's [text, metadata] by id, read by a fresh process."""
    script = (
        "import json; from assistant.retrieval.retrieve import build_retriever; from assistant.config import Settings; "
        "s = build_retriever(Settings.from_env()).store; print(json.dumps({i: [t, m] for i, t, m in s.documents()}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MULTIHOP.exists():
        pytest.skip("the MultiHop-RAG corpus is not beside the project")
    path = tmp_path_factory.mktemp("corpus") / "articles.json"
    path.write_text(json.dumps(json.loads((MULTIHOP / "corpus.json").read_text())[:ARTICLES]))
    return path


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, list[object]], float]:
    """The chunks of an ingest that was not interrupted, and how long it took on this machine."""
    data = tmp_path_factory.mktemp("clean") / "data"
    started = time.monotonic()
    assert _ingest(corpus, data).wait(timeout=600) == 0
    return _chunks(data), time.monotonic() - started


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_during_ingest_then_rerun_gives_the_clean_result(
    corpus: Path, clean: tuple[dict[str, list[object]], float], tmp_path: Path, seed: int
) -> None:
    chunks, duration = clean
    data = tmp_path / "data"
    process = _ingest(corpus, data)
    # past the model load (the first ~quarter on 2-core AMD and Intel machines), before the end: it is writing
    time.sleep(random.Random(seed).uniform(0.35, 0.85) * duration)
    killed = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    rerun = _ingest(corpus, data)
    assert rerun.wait(timeout=600) == 0
    after = _chunks(data)
    assert killed, "the ingest finished before it could be killed; raise ARTICLES"
    assert after == chunks  # same ids, texts and metadata: nothing duplicated, nothing lost
    loaded = LexicalIndex.load(make_settings(data).lexical_dir)
    assert loaded is not None and loaded[1] == ids_digest(chunks)
