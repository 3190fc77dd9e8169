"""Per-stage wall-clock timings, collected into a plain dict that travels with the `Answer`.

Stages add up when timed more than once; the dict holds seconds under `<stage>_s`. It does not
profile: a stage is whatever block the caller wraps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stage(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the time spent inside the block to `timings[name + "_s"]` (no-op when `timings` is None)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            key = f"{name}_s"
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - started
