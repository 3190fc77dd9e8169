"""Does the embedded model load and answer on this machine? Found out in a child process first.

llama.cpp is native code: on some CPUs a path in it dies with a segmentation fault (see
`assistant/generation/hardware.py`), which no `except` can catch, and the app would vanish with exit 139. `check`
loads the configured GGUF in a child with the app's own settings and asks it for one token after the real
system prompt; when the child dies or fails, it raises `ModelError` saying what happened and which
settings to try. Servers (ASSISTANT_LLM=openai) are not probed: they run in their own process.

`python -m assistant.generation.probe` is that child: it reads its settings and messages as JSON on stdin.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError, ModelError
from assistant.generation import hardware
from assistant.generation.llm import LocalLLM, gguf_path
from assistant.generation.prompts import Prompts
from assistant.isolate import run_isolated


def check(settings: Settings, *, timeout_s: float = 300.0) -> None:
    """Raise ModelError when the embedded model cannot load and answer one token on this machine."""
    if settings.llm != "local":
        return
    path = gguf_path(settings)
    system = Prompts.load(settings.prompts_dir).render("answer_system")
    job = {
        "path": str(path),
        "threads": settings.llm_threads,
        "context": settings.llm_context,
        "flash_attn": settings.flash_attn,
        "extra_buffers": settings.llm_extra_buffers,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": "Reply with one word."}],
    }
    failure = run_isolated(
        ["-m", __name__], doing="loading it and answering", timeout_s=timeout_s, stdin=json.dumps(job)
    )
    if failure is None:
        return
    if not failure.died:  # the child's own clear error: a file that is not a model, a missing library
        raise ModelError(failure.text)
    raise ModelError(f"The language model {path.name} cannot run on this machine: {failure.text}. {_advice(settings)}")


def _advice(settings: Settings) -> str:
    """The settings worth trying, as they stand now."""
    tries = []
    if hardware.use_extra_buffers(settings.llm_extra_buffers, hardware.cpu_flags()):
        tries.append("ASSISTANT_LLM_EXTRA_BUFFERS=0 (llama.cpp's weight repacking, AMX included)")
    if settings.flash_attn:
        tries.append("ASSISTANT_FLASH_ATTN=0")
    tries.append("another GGUF with ASSISTANT_GGUF, or a model server with ASSISTANT_LLM=openai (see the README)")
    return "Try " + ", or ".join(tries) + "."


def _child() -> None:
    job = json.loads(sys.stdin.read())
    try:
        llm = LocalLLM(
            Path(job["path"]),
            threads=job["threads"],
            context=job["context"],
            flash_attn=job["flash_attn"],
            extra_buffers=job["extra_buffers"],
        )
        for _ in llm.stream(job["messages"], max_tokens=1):
            pass
    except AssistantError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    _child()
