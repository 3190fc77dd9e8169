"""A real Chroma server (`chroma run` on 127.0.0.1): ingest the seeds through CHROMA_HOST/CHROMA_PORT, retrieve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import PROJECT_DIR, Settings
from assistant.retrieve import build_retriever
from tests.conftest import free_port, wait_for_http

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, log, timeout_s=60)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_ingest_and_retrieve_through_a_chroma_server(tmp_path: Path, chroma_server: tuple[str, int]) -> None:
    host, port = chroma_server
    env = {**os.environ, "CHROMA_HOST": host, "CHROMA_PORT": str(port), "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    run, stats = (
        subprocess.run(
            [sys.executable, "-m", "ingest", flag],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        for flag in ("--quiet", "--stats")
    )
    assert run.returncode == 0, run.stderr
    counts = json.loads(stats.stdout)
    assert (counts["articles"], counts["chunks"], counts["store"]) == (3, 8, f"http://{host}:{port}")
    settings = Settings.from_env(env)
    passages = build_retriever(settings).retrieve("How many Sunni civilians did Reuters confirm were killed?", 3)
    assert "66 Sunni civilians" in passages[0].text
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded store
