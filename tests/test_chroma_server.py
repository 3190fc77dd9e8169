"""A real Chroma server (`chroma run` on 127.0.0.1): ingest the seeds through CHROMA_HOST/CHROMA_PORT,
retrieve; two app replicas on their own data dirs stay in step through the server alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

import app
from assistant.config import PROJECT_DIR, Settings
from assistant.engine import Assistant
from assistant.generation.prompts import Prompts
from assistant.retrieval.embed import Embedder
from assistant.retrieval.retrieve import build_retriever
from tests.conftest import free_port, make_settings, serve, wait_for_http
from tests.fakes import QuotingLLM

pytestmark = [pytest.mark.server, pytest.mark.slow]

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


def ingest(paths: list[Path], env: dict[str, str]) -> None:
    """`python -m ingest` in its own process, as from a third host."""
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--quiet", *map(str, paths)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def replica(data_dir: Path, host: str, port: int, embedder: Embedder) -> tuple[Assistant, Settings]:
    settings = make_settings(data_dir, chroma_host=host, chroma_port=port, collection="replicas")
    retriever = build_retriever(settings, embedder)
    return Assistant(retriever, QuotingLLM(), Prompts.load(PROJECT_DIR / "prompts")), settings  # type: ignore[arg-type]


def until(check: object, *, within_s: float = 5.0) -> float:
    """Seconds until `check()` is true; fails after `within_s`."""
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        if check():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.1)
    pytest.fail(f"not seen within {within_s} s")


def test_replicas__stay_in_step_through_the_chroma_server_alone(
    tmp_path: Path, chroma_server: tuple[str, int], embedder: Embedder
) -> None:
    host, port = chroma_server
    env = {
        **os.environ,
        "CHROMA_HOST": host,
        "CHROMA_PORT": str(port),
        "ASSISTANT_COLLECTION": "replicas",
        "ASSISTANT_DATA_DIR": str(tmp_path / "third-host"),
    }
    ingest([PROJECT_DIR / "seeds"], env)
    (a, a_settings), (b, b_settings) = (replica(tmp_path / name, host, port, embedder) for name in ("a", "b"))
    with serve(app.create_app(a, a_settings)) as url_a, serve(app.create_app(b, b_settings)) as url_b:
        client_a, client_b = Client(url_a, verbose=False), Client(url_b, verbose=False)
        question = "What did Brett McGurk say about the militias?"
        ranked = [[p["chunk_id"] for p in c.predict(question, 8, api_name="/retrieve")] for c in (client_a, client_b)]
        assert ranked[0] == ranked[1] and len(ranked[0]) == 8  # the same question, the same ranking
        # an article added through replica A's upload path is seen by replica B
        upload = tmp_path / "harbour.md"
        upload.write_text("# Harbour bridge reopens\n\nThe Kestrel Bay harbour bridge reopened after eleven weeks.\n")
        app.Library(a, a_settings).ingest([upload])  # what the page's upload calls on replica A

        def b_sees(title: str) -> bool:
            health = httpx.get(f"{url_b}healthz").json()
            listed = {x["title"] for x in client_b.predict(api_name="/articles")}
            found = client_b.predict(f"{title}?", 3, api_name="/retrieve")
            return health["articles"] >= 4 and title in listed and found[0]["title"] == title

        seen_upload = until(lambda: b_sees("Harbour bridge reopens"))
        # an article ingested by a third process is seen by both
        third = tmp_path / "ferry.md"
        third.write_text("# Ferry fares fall\n\nFerry fares on the Kestrel Bay route fell by a third on Monday.\n")
        ingest([third], env)
        seen_cli = until(
            lambda: (
                b_sees("Ferry fares fall")
                and "Ferry fares fall" in {x["title"] for x in client_a.predict(api_name="/articles")}
            )
        )
        answer = client_b.predict("How much did ferry fares on the Kestrel Bay route fall?", [], api_name="/ask")
        assert "a third" in answer["answer"] and answer["citations"][0]["title"] == "Ferry fares fall"
        ranked = [[p["chunk_id"] for p in c.predict(question, 8, api_name="/retrieve")] for c in (client_a, client_b)]
        assert ranked[0] == ranked[1]
    print(f"replica B saw an upload through A after {seen_upload:.1f} s, a CLI ingest after {seen_cli:.1f} s")
