"""ASSISTANT_LLM=openai against a real OpenAI-compatible server: llama-cpp-python's, started on 127.0.0.1
through our launcher (`python -m assistant.generation.server`), which loads the model as the app does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import models
from assistant.config import PROJECT_DIR, Settings
from assistant.engine import Assistant
from assistant.generation.llm import OpenAILLM, llm_from_settings
from assistant.generation.prompts import Prompts
from assistant.grounding.verify import Evidence
from assistant.retrieval.retrieve import Retriever
from assistant.types import Passage
from tests.conftest import free_port, wait_for_http

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    gguf = models.ensure(models.LLM_GGUF, Settings.from_env().model_dir, quiet=True)
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable,
        "-m",
        "assistant.generation.server",
        "--model",
        str(gguf),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "4096",
        "--model_alias",
        "qwen-embedded",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/v1/models", process, Path(log), timeout_s=120)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def remote_assistant(server: str, seeded_retriever: Retriever) -> Assistant:
    settings = Settings.from_env().with_(llm="openai", openai_base_url=server, llm_model="qwen-embedded")
    llm = llm_from_settings(settings)
    assert isinstance(llm, OpenAILLM)
    return Assistant(seeded_retriever, llm, Prompts.load(PROJECT_DIR / "prompts"))


def test_openai_backend__answers_with_checked_citations(remote_assistant: Assistant) -> None:
    answer = remote_assistant.ask("How many Sunni civilians did Reuters confirm were killed?")
    assert "66" in answer.text and not answer.refused
    assert answer.citations and "66 Sunni civilians" in answer.citations[0].passage.text


def test_openai_backend__streams_in_pieces(remote_assistant: Assistant) -> None:
    items = list(remote_assistant.stream("Who wrote the letter that seemed to suggest US forces were leaving Iraq?"))
    assert len(items) > 3 and "Seely" in items[-1].text  # type: ignore[union-attr]


def test_openai_backend__follow_up_is_condensed_by_the_server(remote_assistant: Assistant) -> None:
    history = [["Who is Brett McGurk?", "Brett McGurk is President Obama's special envoy to defeat ISIS [1]."]]
    answer = remote_assistant.ask("What share of the militias did he call a fundamental problem?", history)
    assert " he " not in answer.standalone_question  # the pronoun was resolved
    assert any(name in answer.standalone_question for name in ("McGurk", "envoy"))
    assert "15" in answer.text


def test_openai_backend__the_verifier_reads_the_servers_logprobs(remote_assistant: Assistant) -> None:
    """llama-cpp-python's server (logits_all by default) gives first-token log-probabilities."""
    sentence = "Reuters is now reporting that a confirmed 66 Sunni civilians were killed."
    evidence = Evidence(sentence, Passage(sentence, "s1", "US Efforts Fail", 1.0, outlet="Antiwar.com"))
    stated = remote_assistant.verifier.judge("Reuters confirmed that 66 Sunni civilians were killed.", evidence)
    changed = remote_assistant.verifier.judge("Reuters confirmed that 166 Sunni civilians were killed.", evidence)
    assert isinstance(remote_assistant.llm, OpenAILLM) and remote_assistant.llm.logprobs
    assert stated.label() == "supports" and 0.0 < changed.supports < stated.supports < 1.0
