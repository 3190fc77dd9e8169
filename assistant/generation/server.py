"""`python -m assistant.generation.server [options of python -m llama_cpp.server]`: llama-cpp-python's
OpenAI-compatible server, loading models as the app does.

llama-cpp-python's own server has no option for llama.cpp's extra buffer types, whose AMX path crashes
(see `assistant/generation/hardware.py`); this launcher applies ASSISTANT_LLM_EXTRA_BUFFERS (default: off on CPUs
with AMX) and hands every argument to that server unchanged. It answers one request at a time and
ends a running stream when a new request arrives: a server for one reader and for the tests.
"""

from __future__ import annotations

import sys

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.generation import hardware
from assistant.generation.llm import model_params


def main() -> int:
    try:
        setting = Settings.from_env().llm_extra_buffers
    except AssistantError as error:
        print(f"llm_server: {error}", file=sys.stderr)
        return 2
    from llama_cpp.server.__main__ import main as serve

    with model_params(extra_buffers=hardware.use_extra_buffers(setting, hardware.cpu_flags())):
        serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
