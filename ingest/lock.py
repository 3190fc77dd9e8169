"""One writer at a time: an exclusive file lock in the data directory that names its holder.

It guards writers on this machine only; two machines writing to one Chroma server are not covered.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import AssistantError


class IngestLocked(AssistantError):
    """Another process is writing to the store."""


@contextmanager
def writer_lock(data_dir: Path, *, timeout_s: float = 0.0) -> Iterator[None]:
    """Hold the writer lock for the duration of the block, or raise IngestLocked naming the holder."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(data_dir / "ingest.lock"))
    holder = data_dir / "ingest.lock.pid"
    try:
        lock.acquire(timeout=timeout_s)
    except Timeout:
        who = holder.read_text().strip() if holder.exists() else "another process"
        raise IngestLocked(f"Another ingest is running ({who}); wait for it to finish and try again.") from None
    try:
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        holder.write_text(f"pid {os.getpid()} on {socket.gethostname()}, started {started}")
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()
