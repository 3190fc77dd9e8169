"""A model that crashes this CPU is found in a child process: the app says what happened and exits non-zero.

The children here are real: a Python process that kills itself with SIGSEGV, llama.cpp given a GGUF cut
short, and, on a CPU with AMX, llama.cpp's own crash with its extra buffer types turned back on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import models
from assistant.config import PROJECT_DIR, Settings
from assistant.errors import ModelError
from assistant.generation import hardware
from assistant.generation import probe as llm_probe
from assistant.isolate import run_isolated
from tests.conftest import free_port, make_settings

HAS_AMX = bool(hardware.AMX_FLAGS & hardware.cpu_flags())


def _app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python app.py` as a user starts it, with `env` added; it must end by itself."""
    environment = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run(
        [sys.executable, "app.py", "--port", str(free_port())],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_run_isolated__a_child_killed_by_a_signal_is_named() -> None:
    failure = run_isolated(
        ["-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"], doing="loading it", timeout_s=60
    )
    assert failure is not None and failure.died
    assert failure.text == "loading it crashed the process (signal 11, SIGSEGV: a segmentation fault)"


def test_run_isolated__a_childs_own_error_is_its_last_line() -> None:
    failure = run_isolated(["-c", "import sys; print('working'); sys.exit('no such file')"], doing="x", timeout_s=60)
    assert failure is not None and not failure.died and failure.text == "no such file"


def test_run_isolated__a_hang_is_cut_off() -> None:
    failure = run_isolated(["-c", "import time; time.sleep(60)"], doing="opening it", timeout_s=1)
    assert failure == ("opening it did not finish in 1 s", True)


@pytest.mark.model
def test_check__the_embedded_model_loads_and_answers_here(tmp_path: Path) -> None:
    llm_probe.check(make_settings(tmp_path / "data"))  # raises ModelError if this machine cannot run it


def test_check__a_server_backend_is_not_probed(tmp_path: Path) -> None:
    llm_probe.check(make_settings(tmp_path / "data", llm="openai", gguf=tmp_path / "missing.gguf"))


@pytest.mark.model
@pytest.mark.server
def test_app__a_gguf_cut_short_is_a_clear_error(tmp_path: Path) -> None:
    gguf = models.ensure(models.LLM_GGUF, Settings.from_env().model_dir, quiet=True)
    cut = tmp_path / "cut.gguf"
    with gguf.open("rb") as whole:
        cut.write_bytes(whole.read(20_000_000))
    run = _app(tmp_path, ASSISTANT_GGUF=str(cut))
    assert run.returncode == 2, run.stderr[-2000:]
    assert f"Cannot load the model {cut}" in run.stderr
    assert "Serving on" not in run.stderr


@pytest.mark.skipif(not HAS_AMX, reason="llama.cpp's AMX path exists only on CPUs with AMX")
@pytest.mark.model
@pytest.mark.server
def test_app__llama_cpps_amx_crash_is_a_message_not_a_dead_process(tmp_path: Path) -> None:
    run = _app(tmp_path, ASSISTANT_LLM_EXTRA_BUFFERS="1")
    assert run.returncode == 2, f"exit {run.returncode}: {run.stderr[-2000:]}"  # not -11 (139 in a shell)
    assert "cannot run on this machine: loading it and answering crashed the process (signal 11, SIGSEGV" in run.stderr
    assert "Try ASSISTANT_LLM_EXTRA_BUFFERS=0" in run.stderr
    assert "Serving on" not in run.stderr


def test_check__a_child_that_dies_names_the_settings_to_try(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", llm_extra_buffers=True, flash_attn=True)
    with pytest.raises(ModelError) as raised:
        llm_probe.check(settings, timeout_s=0.2)  # cut off while it loads: the path a hang or a crash takes
    message = str(raised.value)
    assert message.startswith("The language model qwen2.5-coder-1.5b-instruct-q4_k_m.gguf cannot run on this machine")
    assert "loading it and answering did not finish" in message
    assert "Try ASSISTANT_LLM_EXTRA_BUFFERS=0" in message and "ASSISTANT_FLASH_ATTN=0" in message
    assert "ASSISTANT_LLM=openai" in message
