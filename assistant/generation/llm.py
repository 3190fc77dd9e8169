"""LLM backends behind one small interface: `stream(messages, max_tokens=...) -> Iterator[str]` to write, and
`choose(messages, options) -> {option: log-probability}` to judge (the verifier's one-word verdicts).

`LocalLLM` runs a GGUF file in-process with llama-cpp-python (one generation at a time; llama.cpp
reuses the KV cache for the shared prompt prefix). `OpenAILLM` talks to any OpenAI-compatible
`/chat/completions` endpoint with server-sent events, bounded by two clocks: the idle timeout (for
the first token and between tokens) and the total timeout for the whole reply. Neither retries: a
refused connection, an HTTP error, a stall, a reply broken off before `[DONE]` or a late one becomes
`LLMUnavailable` with a message a person can act on.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx

from assistant import models
from assistant.config import Settings
from assistant.errors import LLMUnavailable, ModelError
from assistant.generation import hardware

Message = dict[str, str]


class LLM(Protocol):
    """What the engine needs from a language model."""

    name: str
    usage: dict[str, float]  # the last reply's token counts, where the backend knows them

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        """Yield the reply's text in pieces as it is generated (temperature 0)."""
        ...

    def choose(self, messages: list[Message], options: Sequence[str]) -> dict[str, float]:
        """The log-probability of each option (one word each, distinct first tokens) as the reply's first token."""
        ...


class LocalLLM:
    """A GGUF model run in this process by llama-cpp-python.

    The chat template from the GGUF is applied here, so the prompt's token count is known before it
    is evaluated. llama.cpp keeps the KV cache of the last prompt and re-evaluates only what differs
    after the longest shared prefix, so the fixed system prompt is read once. No RAM cache of saved
    states: llama-cpp-python's counts only the KV bytes while each state also copies the logits
    (about 300 MB here), so it grew without bound; after a condense call the next answer re-reads the
    system prompt (about 100 tokens). `extra_buffers` None decides llama.cpp's weight repacking from
    the CPU (off where it has AMX, whose path crashes: see `assistant/generation/hardware.py`).
    """

    def __init__(
        self,
        path: Path,
        *,
        threads: int,
        context: int,
        flash_attn: bool = Settings.flash_attn,
        extra_buffers: bool | None = Settings.llm_extra_buffers,
    ) -> None:
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as error:
            raise ModelError("llama-cpp-python is not installed; install the project's requirements.") from error
        self.extra_buffers = hardware.use_extra_buffers(extra_buffers, hardware.cpu_flags())
        try:
            with model_params(extra_buffers=self.extra_buffers):
                self._llama = Llama(
                    model_path=str(path),
                    n_ctx=context,
                    n_threads=threads,
                    n_threads_batch=threads,
                    n_batch=512,
                    flash_attn=flash_attn,
                    verbose=False,
                    seed=0,
                )
        except (ValueError, RuntimeError) as error:
            raise ModelError(f"Cannot load the model {path}: {error}") from error
        template = self._llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError(f"The model {path} has no chat template in its metadata.")
        eos = self._llama.token_eos()
        self._format = Jinja2ChatFormatter(
            template=template,
            eos_token=self._llama._model.token_get_text(eos),
            bos_token=self._llama._model.token_get_text(self._llama.token_bos()),
            stop_token_ids=[eos],
        )
        self._lock = threading.Lock()
        self.name = path.name
        self.usage: dict[str, float] = {}

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        with self._lock:
            formatted = self._format(messages=messages)  # type: ignore[arg-type]
            tokens = self._prompt_tokens(messages)
            stop = formatted.stop if isinstance(formatted.stop, list) else [formatted.stop] if formatted.stop else []
            self._perf(reset=True)
            chunks: Iterator[Any] = self._llama.create_completion(  # type: ignore[assignment]
                tokens, stream=True, temperature=0.0, max_tokens=max_tokens, stop=stop
            )
            pieces = 0
            for chunk in chunks:
                piece = chunk["choices"][0]["text"]
                if piece:
                    pieces += 1
                    yield str(piece)
            perf = self._perf()
            self.usage = {
                "prompt_tokens": len(tokens),
                "prompt_tokens_evaluated": perf.n_p_eval,
                "prompt_eval_ms": perf.t_p_eval_ms,
                "completion_tokens": perf.n_eval + 1 if pieces else 0,
            }

    def choose(self, messages: list[Message], options: Sequence[str]) -> dict[str, float]:
        """One forward pass over the prompt (its prefix shared with the last prompt is not read again), then
        the log-softmax of the next token's logits at each option's first token. `usage` stays the last
        written reply's."""
        import numpy as np

        with self._lock:
            tokens = self._prompt_tokens(messages)
            ids = [self._llama.tokenize(option.encode("utf-8"), add_bos=False, special=False)[0] for option in options]
            if len(set(ids)) != len(ids):
                raise ValueError(f"The options {list(options)} do not start with distinct tokens.")
            cached = self._llama.longest_token_prefix(self._llama.eval_tokens, tokens)
            self._llama.n_tokens = min(cached, len(tokens) - 1)  # at least one token is read, for fresh logits
            self._llama.eval(tokens[self._llama.n_tokens :])
            logits = np.ctypeslib.as_array(self._llama._ctx.get_logits(), shape=(self._llama.n_vocab(),))
            top = float(logits.max())
            log_total = top + math.log(float(np.exp(logits - top).sum()))
            return {option: float(logits[i]) - log_total for option, i in zip(options, ids, strict=True)}

    def _prompt_tokens(self, messages: list[Message]) -> list[int]:
        formatted = self._format(messages=messages)  # type: ignore[arg-type]
        return self._llama.tokenize(formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True)

    def forget(self) -> None:
        """Drop the KV cache: the next prompt is evaluated from its first token."""
        with self._lock:
            self._llama.reset()

    def _perf(self, *, reset: bool = False) -> Any:
        import llama_cpp

        context = self._llama._ctx.ctx
        if reset:
            llama_cpp.llama_perf_context_reset(context)
        return llama_cpp.llama_perf_context(context)


_PARAMS_LOCK = threading.Lock()


@contextmanager
def model_params(*, extra_buffers: bool) -> Iterator[None]:
    """While open, llama-cpp-python loads models with `use_extra_bufts` set as given.

    `Llama(...)` has no argument for that field of llama.cpp's model parameters; it starts from
    `llama_model_default_params()`, so that function is wrapped for as long as the block runs.
    """
    import llama_cpp.llama_cpp as native

    original = native.llama_model_default_params

    def adjusted() -> Any:
        params = original()
        params.use_extra_bufts = extra_buffers
        return params

    with _PARAMS_LOCK:
        native.llama_model_default_params = adjusted
        try:
            yield
        finally:
            native.llama_model_default_params = original


class OpenAILLM:
    """Any OpenAI-compatible chat completions endpoint (vLLM, llama.cpp server, Ollama, OpenAI)."""

    def __init__(
        self, base_url: str, *, model: str, api_key: str = "", timeout_s: float = 120.0, idle_timeout_s: float = 60.0
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/chat/completions"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._total_s = timeout_s
        self._idle_s = min(idle_timeout_s, timeout_s)
        self._timeout = httpx.Timeout(self._idle_s, connect=min(10.0, self._idle_s))
        self.name = model
        self.usage: dict[str, float] = {}
        self.logprobs = True  # asked for until the server refuses them

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        body = {"model": self._model, "messages": messages, "stream": True, "temperature": 0, "max_tokens": max_tokens}
        deadline = time.monotonic() + self._total_s
        try:
            with httpx.stream("POST", self._url, json=body, headers=self._headers, timeout=self._timeout) as response:
                _raise_for_status(response, self._url)
                yield from _pieces(response.iter_lines(), deadline, self._total_s)
        except httpx.TimeoutException:
            raise LLMUnavailable(
                f"The language model server stopped answering (nothing for {self._idle_s:.0f} s); try again."
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            raise LLMUnavailable("The language model server broke off its answer; try again.") from None
        except httpx.TransportError as error:
            raise LLMUnavailable(f"The language model server at {self._url} is not reachable ({error}).") from None

    def choose(self, messages: list[Message], options: Sequence[str]) -> dict[str, float]:
        """A one-token reply with `logprobs`; a server that refuses them (llama-cpp-python's without
        logits_all answers HTTP 500) is asked again without, then and from then on read by its word."""
        if self.logprobs:
            try:
                return _first_token_logprobs(self._reply(messages, logprobs=True), options)
            except LLMUnavailable as error:
                if "answered HTTP" not in str(error):
                    raise
                self.logprobs = False
        return _first_token_logprobs(self._reply(messages, logprobs=False), options)

    def _reply(self, messages: list[Message], *, logprobs: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self._model, "messages": messages, "temperature": 0, "max_tokens": 1}
        if logprobs:
            body |= {"logprobs": True, "top_logprobs": 10}
        try:
            response = httpx.post(self._url, json=body, headers=self._headers, timeout=self._timeout)
            _raise_for_status(response, self._url)
            reply = response.json()
        except httpx.TimeoutException:
            raise LLMUnavailable(
                f"The language model server stopped answering (nothing for {self._idle_s:.0f} s); try again."
            ) from None
        except httpx.TransportError as error:
            raise LLMUnavailable(f"The language model server at {self._url} is not reachable ({error}).") from None
        except ValueError:
            raise LLMUnavailable("The language model server sent a reply that is not valid JSON.") from None
        return reply if isinstance(reply, dict) else {}


def _first_token_logprobs(reply: dict[str, Any], options: Sequence[str]) -> dict[str, float]:
    """Each option's log-probability from a one-token reply: its `top_logprobs` where the server gave them
    (an option absent from them is taken as -inf), else the reply's word (0.0 for it, -inf for the others)."""
    choice = (reply.get("choices") or [{}])[0]
    content = ((choice.get("logprobs") or {}).get("content") or [{}])[0]
    found = {option: -math.inf for option in options}
    tops = content.get("top_logprobs") or []
    if tops:
        for top in tops:
            for option in options:
                token = str(top.get("token", "")).strip().casefold()
                if token and option.casefold().startswith(token) and found[option] == -math.inf:
                    found[option] = float(top.get("logprob", -math.inf))
        return found
    words = str((choice.get("message") or {}).get("content") or "").split()
    word = words[0].strip(".,:;!\"'").casefold() if words else ""
    for option in options:
        if word and (option.casefold().startswith(word) or word.startswith(option.casefold())):
            found[option] = 0.0
            break
    return found


def _pieces(lines: Iterator[str], deadline: float, total_s: float) -> Iterator[str]:
    """The text pieces of an event stream; LLMUnavailable when it runs past `deadline` or ends before [DONE]."""
    for line in lines:
        if time.monotonic() > deadline:
            raise LLMUnavailable(f"The language model server took longer than {total_s:.0f} s to answer; try again.")
        piece = _sse_piece(line)
        if piece is None:
            return
        if piece:
            yield piece
    raise LLMUnavailable("The language model server broke off its answer; try again.")


def _raise_for_status(response: httpx.Response, url: str) -> None:
    if response.status_code == 429:
        raise LLMUnavailable("The language model server is busy (HTTP 429); try again in a moment.")
    if response.status_code >= 400:
        raise LLMUnavailable(f"The language model server at {url} answered HTTP {response.status_code}.")


def _sse_piece(line: str) -> str | None:
    """Text in one server-sent-event line; '' for lines without text, None at the end of the stream."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        event: dict[str, Any] = json.loads(data)
        choice = event["choices"][0] if event.get("choices") else {}
    except (ValueError, KeyError, TypeError):
        raise LLMUnavailable("The language model server sent a reply that is not valid JSON.") from None
    return str((choice.get("delta") or {}).get("content") or "")


def llm_from_settings(settings: Settings) -> LLM:
    """The backend named by ASSISTANT_LLM."""
    if settings.llm == "openai":
        return OpenAILLM(
            settings.openai_base_url,
            model=settings.llm_model,
            api_key=settings.openai_api_key,
            timeout_s=settings.llm_timeout_s,
            idle_timeout_s=settings.llm_idle_timeout_s,
        )
    return LocalLLM(
        gguf_path(settings),
        threads=settings.llm_threads,
        context=settings.llm_context,
        flash_attn=settings.flash_attn,
        extra_buffers=settings.llm_extra_buffers,
    )


def gguf_path(settings: Settings) -> Path:
    """The GGUF file the embedded backend loads: ASSISTANT_GGUF, or the verified embedded model."""
    path = settings.gguf or models.ensure(models.LLM_GGUF, settings.model_dir)
    if not path.is_file():
        raise ModelError(f"ASSISTANT_GGUF points at {path}, which is not a file.")
    return path
