"""What this machine's CPU offers, for the one choice llama.cpp does not make safely by itself.

llama.cpp built for the host's instructions moves the weights into an "extra buffer type" when it
loads a model: Intel's AMX tiles on Xeons of the Sapphire Rapids class and later, repacked layouts for
AVX2 and ARM elsewhere. With llama-cpp-python 0.3.36 the AMX path crashes (a segfault in the first
decode) with the embedded Q4_K_M model, so on a CPU with AMX the extra buffer types stay off unless
ASSISTANT_LLM_EXTRA_BUFFERS=1 asks for them (for a later llama.cpp that fixes it). Only Linux's
/proc/cpuinfo is read; where it is missing no flags are known and llama.cpp's default is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

AMX_FLAGS = frozenset({"amx_tile", "amx_int8", "amx_bf16"})
CPUINFO = Path("/proc/cpuinfo")


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The feature flags of the first CPU listed in `cpuinfo` (empty where it cannot be read)."""
    return frozenset(_first(cpuinfo, "flags").split())


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The first CPU's model name ('' where it cannot be read)."""
    return _first(cpuinfo, "model name").strip()


def _first(cpuinfo: Path, field: str) -> str:
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == field:
            return value
    return ""


def use_extra_buffers(setting: bool | None, flags: Iterable[str]) -> bool:
    """Whether llama.cpp may repack weights into its extra buffer types: as set, else not on an AMX CPU."""
    if setting is not None:
        return setting
    return not AMX_FLAGS.intersection(flags)
