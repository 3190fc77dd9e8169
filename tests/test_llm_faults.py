"""LLM faults against a real misbehaving server on 127.0.0.1: a clear LLMUnavailable message, in time,
through OpenAILLM and through a running app, whose next question is then answered."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.config import PROJECT_DIR
from assistant.errors import LLMUnavailable
from assistant.generation.llm import OpenAILLM, _first_token_logprobs
from tests.conftest import free_port, wait_for_http
from tests.tools.fault_server import FaultServer

pytestmark = [pytest.mark.server]

FAULTS = {
    "429": "The language model server is busy (HTTP 429); try again in a moment.",
    "500": "answered HTTP 500.",
    "hang": "The language model server stopped answering (nothing for 1 s); try again.",
    "stall": "The language model server stopped answering (nothing for 1 s); try again.",
    "drop": "The language model server broke off its answer; try again.",
    "eof": "The language model server broke off its answer; try again.",
    "drip": "The language model server took longer than 3 s to answer; try again.",
}
HANGS_FOR_S = 60  # how long "hang", "stall" and "drip" would go on if our timeouts did not end them
QUESTION = "How many Sunni civilians did Reuters confirm were killed?"


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    running = FaultServer()
    yield running
    running.stop()


def test_openai_llm__a_well_behaved_server_streams_the_reply(server: FaultServer) -> None:
    server.mode = "ok"
    llm = OpenAILLM(server.url, model="m", timeout_s=3, idle_timeout_s=1)
    assert "".join(llm.stream([{"role": "user", "content": "Say hello"}], max_tokens=8)).strip() == "Say hello"


@pytest.mark.parametrize(("mode", "message"), FAULTS.items())
def test_openai_llm__a_misbehaving_server_is_a_clear_error_within_the_timeout(
    server: FaultServer, mode: str, message: str
) -> None:
    server.mode = mode
    llm = OpenAILLM(server.url, model="m", timeout_s=3, idle_timeout_s=1)
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match=re.escape(message)):
        list(llm.stream([{"role": "user", "content": "Say hello"}], max_tokens=8))
    assert time.monotonic() - started < HANGS_FOR_S / 2  # ended by our timeout, not by the server


@pytest.fixture(scope="module")
def app_client(server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """`python app.py` with ASSISTANT_LLM=openai pointed at the fault server (idle 1 s, total 3 s)."""
    from gradio_client import Client

    data = tmp_path_factory.mktemp("faults")
    port, log = free_port(), data / "app.log"
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(data / "data"),
        "ASSISTANT_LLM": "openai",
        "OPENAI_BASE_URL": server.url,
        "ASSISTANT_LLM_TIMEOUT": "3",
        "ASSISTANT_LLM_IDLE_TIMEOUT": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    with log.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_DIR, env=env, stdout=out, stderr=out
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", app, log, timeout_s=180)
        yield Client(f"http://127.0.0.1:{port}/", verbose=False), app
    finally:
        app.terminate()
        app.wait(timeout=30)


@pytest.mark.parametrize(("mode", "message"), FAULTS.items())
@pytest.mark.slow
def test_app__an_llm_fault_is_a_clear_message_and_the_next_question_is_answered(
    server: FaultServer, app_client: tuple[Any, subprocess.Popen[bytes]], mode: str, message: str
) -> None:
    from gradio_client.exceptions import AppError

    client, app = app_client
    server.mode = mode
    started = time.monotonic()
    with pytest.raises(AppError) as raised:
        client.predict(QUESTION, [], api_name="/ask")
    assert time.monotonic() - started < HANGS_FOR_S / 2
    assert str(raised.value) == message or (mode == "500" and str(raised.value).endswith(message))
    server.mode = "ok"
    answer = client.predict(QUESTION, [], api_name="/ask")  # the queue slot was freed
    assert not answer["refused"] and answer["citations"][0]["n"] == 1
    assert app.poll() is None


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # top_logprobs: each option's first token, matched case-insensitively; one not among them is -inf
        (
            {
                "choices": [
                    {
                        "logprobs": {
                            "content": [
                                {"top_logprobs": [{"token": "TRUE", "logprob": -0.1}, {"token": "UN", "logprob": -2.5}]}
                            ]
                        }
                    }
                ]
            },
            {"TRUE": -0.1, "FALSE": -math.inf, "UNKNOWN": -2.5},
        ),
        # no logprobs: the one word replied, all of it or its first token
        ({"choices": [{"message": {"content": "FALSE"}}]}, {"TRUE": -math.inf, "FALSE": 0.0, "UNKNOWN": -math.inf}),
        ({"choices": [{"message": {"content": "UN"}}]}, {"TRUE": -math.inf, "FALSE": -math.inf, "UNKNOWN": 0.0}),
        ({"choices": [{"message": {"content": ""}}]}, {"TRUE": -math.inf, "FALSE": -math.inf, "UNKNOWN": -math.inf}),
    ],
)
def test_first_token_logprobs__from_logprobs_or_the_word_replied(reply: dict, expected: dict[str, float]) -> None:
    assert _first_token_logprobs(reply, ("TRUE", "FALSE", "UNKNOWN")) == expected
