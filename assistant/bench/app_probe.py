"""The app as a user starts it: `python app.py` in a child process, timed to its first served page.

Peak memory is the child's high-water resident set (`VmHWM` in /proc, Linux only) after it has
answered questions through the real `/ask` endpoint. It does not measure the browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from assistant.config import PROJECT_DIR
from assistant.errors import AssistantError


@dataclass
class RunningApp:
    """A started app: its process, address and how long it took to serve its first page."""

    process: subprocess.Popen[bytes]
    url: str
    ready_s: float

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far, in MiB (0.0 where /proc is missing)."""
        status = Path(f"/proc/{self.process.pid}/status")
        if not status.is_file():
            return 0.0
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def ask(self, question: str) -> dict[str, object]:
        """One answer through the public `/ask` endpoint."""
        from gradio_client import Client

        return dict(Client(self.url, verbose=False).predict(question, [], api_name="/ask"))


@contextmanager
def started_app(data_dir: Path, log: Path, *, timeout_s: float = 600.0) -> Iterator[RunningApp]:
    """Start `python app.py` with its data in `data_dir`; stop it on exit."""
    port = _free_port()
    env = os.environ | {"ASSISTANT_DATA_DIR": str(data_dir), "ANONYMIZED_TELEMETRY": "False"}
    url = f"http://127.0.0.1:{port}/"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=PROJECT_DIR, env=env, stdout=sink, stderr=sink
        )
        try:
            _wait(url, process, log, timeout_s)
            yield RunningApp(process, url, time.perf_counter() - started)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssistantError(f"app.py exited with {process.returncode}; its log: {log}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssistantError(f"app.py did not serve {url} within {timeout_s:.0f} s; its log: {log}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
