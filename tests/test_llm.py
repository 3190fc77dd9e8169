"""The OpenAI-compatible backend's failure paths and stream parsing (the real server runs in test_e2e)."""

from __future__ import annotations

import pytest

from assistant.errors import LLMUnavailable
from assistant.generation.llm import OpenAILLM, _sse_piece, model_params
from tests.conftest import free_port


@pytest.mark.parametrize(
    ("line", "piece"),
    [
        ('data: {"choices": [{"delta": {"content": "Hi"}}]}', "Hi"),
        ('data: {"choices": [{"delta": {}}]}', ""),
        ('data: {"choices": []}', ""),
        (": keep-alive", ""),
        ("data: [DONE]", None),
    ],
)
def test_sse_piece(line: str, piece: str | None) -> None:
    assert _sse_piece(line) == piece


def test_sse_piece__garbage_is_a_clear_error() -> None:
    with pytest.raises(LLMUnavailable, match="not valid JSON"):
        _sse_piece("data: {oops")


def test_openai_llm__stopped_server_is_a_clear_error() -> None:
    llm = OpenAILLM(f"http://127.0.0.1:{free_port()}/v1", model="m", timeout_s=5)
    with pytest.raises(LLMUnavailable, match="not reachable"):
        list(llm.stream([{"role": "user", "content": "hi"}], max_tokens=8))


@pytest.mark.parametrize("extra_buffers", [False, True])
def test_model_params__sets_extra_buffers_while_open_then_restores(extra_buffers: bool) -> None:
    import llama_cpp.llama_cpp as native

    default = native.llama_model_default_params().use_extra_bufts
    with model_params(extra_buffers=extra_buffers):
        assert native.llama_model_default_params().use_extra_bufts is extra_buffers
    assert native.llama_model_default_params().use_extra_bufts is default
