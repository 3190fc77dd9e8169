"""Offline for real: the app starts and answers inside a network namespace that has only loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.config import PROJECT_DIR


def _can_unshare() -> bool:
    try:
        return subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = [
    pytest.mark.skipif(not _can_unshare(), reason="needs permission to create a network namespace"),
    pytest.mark.model,
    pytest.mark.server,
    pytest.mark.slow,
]

SCRIPT = textwrap.dedent(
    """
    import subprocess, sys, time, httpx
    from gradio_client import Client
    app = subprocess.Popen([sys.executable, "app.py", "--port", "7911"])
    try:
        for _ in range(360):
            try:
                if httpx.get("http://127.0.0.1:7911/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        answer = Client("http://127.0.0.1:7911/", verbose=False).predict(
            "How many Sunni civilians did Reuters confirm were killed?", [], api_name="/ask")
        print("ANSWER", answer["answer"], [c["n"] for c in answer["citations"]])
    finally:
        app.terminate()
        app.wait(30)
    """
)


def test_app__starts_and_answers_with_no_network_but_loopback(tmp_path: Path) -> None:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    run = subprocess.run(
        ["unshare", "--net", "sh", "-c", f'ip link set lo up && "{sys.executable}" -c "$0"', SCRIPT],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    line = next(x for x in run.stdout.splitlines() if x.startswith("ANSWER"))
    assert "66" in line and "[1]" in line
