"""Run a check in a child Python process, so that native code crashing or hanging there cannot take this
process down: the caller learns why it failed instead of dying with it.

Used where native libraries meet data or hardware we do not control: Chroma's vector index
(`store.probe`) and llama.cpp on this CPU (`llm_probe.probe`). Nothing here retries.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import NamedTuple

from assistant.config import PROJECT_DIR


class Failure(NamedTuple):
    """How a child failed: `text` is its last line, or `doing` and how it ended; `died` when a signal or
    the timeout ended it (native code), not its own error exit."""

    text: str
    died: bool


def run_isolated(args: list[str], *, doing: str, timeout_s: float, stdin: str = "") -> Failure | None:
    """Run `python ARGS` in the project folder; None when it exits 0, else how it failed."""
    try:
        run = subprocess.run(
            [sys.executable, *args],
            cwd=PROJECT_DIR,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return Failure(f"{doing} did not finish in {timeout_s:.0f} s", died=True)
    if run.returncode < 0:
        return Failure(f"{doing} crashed the process ({_signal_name(-run.returncode)})", died=True)
    if run.returncode:
        lines = (run.stdout + run.stderr).strip().splitlines() or ["no message"]
        return Failure(lines[-1][:300], died=False)
    return None


def _signal_name(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    described = {"SIGSEGV": "a segmentation fault", "SIGILL": "an illegal instruction", "SIGBUS": "a bus error"}
    return f"signal {number}, {name}" + (f": {described[name]}" if name in described else "")
