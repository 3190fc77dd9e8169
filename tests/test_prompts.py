"""Prompt files: named variables, checked on load, failing loudly by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_DIR
from assistant.errors import PromptError
from assistant.generation.prompts import Prompts


def _copy_prompts(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(PROJECT_DIR / "prompts", target)
    return target


def test_prompts__project_prompts_load_and_render() -> None:
    prompts = Prompts.load(PROJECT_DIR / "prompts")
    text = prompts.render("answer_user", passages='<passage id="1">x</passage>', question="Who {braces}?")
    assert "Who {braces}?" in text and '<passage id="1">' in text


@pytest.mark.parametrize(
    ("name", "replacement", "message"),
    [
        ("answer_user", "{passages}{form}", "missing the variable {question}"),
        ("condense", "{history}\n{question}\n{extra}", "unknown variable {extra}"),
        ("passage", "{n} {title} {outlet} {author} {text", "not a valid template"),
    ],
)
def test_prompts__bad_prompt_file_fails_naming_itself(
    tmp_path: Path, name: str, replacement: str, message: str
) -> None:
    directory = _copy_prompts(tmp_path)
    (directory / f"{name}.txt").write_text(replacement)
    with pytest.raises(PromptError, match=message) as error:
        Prompts.load(directory)
    assert f"{name}.txt" in str(error.value)


def test_prompts__missing_file_is_named(tmp_path: Path) -> None:
    directory = _copy_prompts(tmp_path)
    (directory / "condense.txt").unlink()
    with pytest.raises(PromptError, match=r"condense\.txt"):
        Prompts.load(directory)
