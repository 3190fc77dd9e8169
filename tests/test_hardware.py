"""Whether llama.cpp may repack weights into its extra buffer types, decided from /proc/cpuinfo and the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.generation.hardware import cpu_flags, cpu_model, use_extra_buffers

# The first lines of /proc/cpuinfo on the two kinds of server this product runs on (flags shortened).
XEON_AMX = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8488C
flags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512_vnni avx512_bf16 amx_bf16 avx512_fp16 amx_tile amx_int8
"""
EPYC_AVX2 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse2 avx avx2 fma f16c bmi2 sha_ni
"""


@pytest.fixture(params=[("xeon", XEON_AMX), ("epyc", EPYC_AVX2)], ids=lambda p: p[0])
def cpuinfo(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    name, text = request.param
    path = tmp_path / "cpuinfo"
    path.write_text(text)
    return name, path


def test_cpu_flags__reads_the_first_cpus_flags(cpuinfo: tuple[str, Path]) -> None:
    name, path = cpuinfo
    flags = cpu_flags(path)
    assert "avx2" in flags and ("amx_int8" in flags) == (name == "xeon")
    assert cpu_model(path).startswith("Intel" if name == "xeon" else "AMD")


def test_cpu_flags__unreadable_cpuinfo_knows_no_flags(tmp_path: Path) -> None:
    assert cpu_flags(tmp_path / "missing") == frozenset() and cpu_model(tmp_path / "missing") == ""


@pytest.mark.parametrize(
    ("cpu", "setting", "expected"),
    [
        (XEON_AMX, None, False),  # auto: the AMX path crashes with llama-cpp-python 0.3.36
        (EPYC_AVX2, None, True),  # auto: llama.cpp's default where there is no AMX
        (XEON_AMX, True, True),  # ASSISTANT_LLM_EXTRA_BUFFERS=1: for a llama.cpp that fixed it
        (EPYC_AVX2, False, False),  # ASSISTANT_LLM_EXTRA_BUFFERS=0
        ("", None, True),  # nothing known (no /proc/cpuinfo): llama.cpp's default
    ],
)
def test_use_extra_buffers__off_on_amx_unless_set(
    tmp_path: Path, cpu: str, setting: bool | None, expected: bool
) -> None:
    path = tmp_path / "cpuinfo"
    path.write_text(cpu)
    assert use_extra_buffers(setting, cpu_flags(path)) is expected


@pytest.mark.parametrize(("raw", "value"), [("", None), ("auto", None), ("AUTO", None), ("1", True), ("0", False)])
def test_settings__extra_buffers_is_auto_1_or_0(raw: str, value: bool | None) -> None:
    assert Settings.from_env({"ASSISTANT_LLM_EXTRA_BUFFERS": raw}).llm_extra_buffers is value


def test_settings__extra_buffers_rejects_other_values() -> None:
    with pytest.raises(ConfigError, match="ASSISTANT_LLM_EXTRA_BUFFERS must be auto, 1 or 0, not 'maybe'"):
        Settings.from_env({"ASSISTANT_LLM_EXTRA_BUFFERS": "maybe"})
