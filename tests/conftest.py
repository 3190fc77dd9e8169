"""Shared fixtures: real settings in tmp dirs, the real embedder, a seeded real Chroma store, a live app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import PROJECT_DIR, Settings
from assistant.engine import Assistant
from assistant.generation.llm import LLM, llm_from_settings
from assistant.generation.prompts import Prompts
from assistant.retrieval.embed import Embedder
from assistant.retrieval.retrieve import Retriever, build_retriever
from assistant.retrieval.store import Store
from ingest.index import ingest_paths
from tests.fakes import ScriptedLLM

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ARTIFACTS = PROJECT_DIR / "tests" / "artifacts"
SEEDS = PROJECT_DIR / "seeds"
MULTIHOP = PROJECT_DIR.parent / "shared" / "benchmarks" / "multihop-rag"


def make_settings(data_dir: Path, **changes: object) -> Settings:
    """Project settings with data in `data_dir` (models stay in the shared model directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_DATA_DIR", "CHROMA_"))}
    return Settings.from_env(env).with_(data_dir=data_dir, **changes)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder.from_model_dir(Settings.from_env().model_dir)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def store(settings: Settings, embedder: Embedder) -> Store:
    return Store.open(settings, embed_model=embedder.model_id, dimension=embedder.dimension)


@pytest.fixture(scope="session")
def seeded_retriever(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Retriever:
    """The hybrid retriever over a real Chroma store and BM25 index holding the three seed articles."""
    return seeded_store(make_settings(tmp_path_factory.mktemp("seeded") / "data"), embedder)


def seeded_store(settings: Settings, embedder: Embedder, paths: Sequence[Path] = (SEEDS,)) -> Retriever:
    """A retriever over a fresh store in `settings.data_dir` holding the articles of `paths` (the seeds)."""
    retriever = build_retriever(settings, embedder)
    ingest_paths(
        list(paths),
        store=retriever.store,
        embedder=embedder,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        lexical_dir=settings.lexical_dir,
        progress=False,
    )
    retriever.refresh()
    return retriever


@pytest.fixture(scope="session")
def local_llm() -> LLM:
    """The embedded model as the app loads it (1.1 GB): loaded once per test session and shared."""
    return llm_from_settings(Settings.from_env())


@pytest.fixture
def scripted_assistant(seeded_retriever: Retriever) -> tuple[Assistant, ScriptedLLM]:
    """The real engine over the seeded store, with a scripted LLM that records its prompts."""
    llm = ScriptedLLM()
    return Assistant(seeded_retriever, llm, Prompts.load(PROJECT_DIR / "prompts")), llm


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path, *, timeout_s: float) -> None:
    """Poll `url` until it answers; fail with the server's log if it dies or takes too long."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"server at {url} did not start in {timeout_s} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python app.py` started for real on a free port with an empty data dir (so it ingests the seeds)."""
    data = tmp_path_factory.mktemp("app")
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data / "data"), "ANONYMIZED_TELEMETRY": "False"}
    log = data / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, log, timeout_s=180)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def serve(app: object, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI app (e.g. `app.create_app(...)`) with uvicorn in a thread on `port` (default: a free
    one); yields its URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port or free_port(), log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        pytest.fail("the app did not start within 60 s")
    try:
        yield f"http://127.0.0.1:{server.config.port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def seeded_assistant(
    data_dir: Path, embedder: Embedder, llm: object, paths: Sequence[Path] = (SEEDS,), **changes: object
) -> tuple[Assistant, Settings]:
    """The real engine over a fresh store in `data_dir` holding the articles of `paths` (the seeds), with `llm`."""
    settings = make_settings(data_dir, **changes)
    retriever = seeded_store(settings, embedder, paths)
    prompts = Prompts.load(PROJECT_DIR / "prompts")
    return Assistant(retriever, llm, prompts, settings=settings), settings  # type: ignore[arg-type]
