"""The README stays true: CI runs its test command, and every setting is documented."""

from __future__ import annotations

import re

from assistant.config import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, flags=re.DOTALL)
    run, test = blocks[0], blocks[1]
    ci_lines = (PROJECT_DIR / ".ci" / "run").read_text().splitlines()
    assert run.endswith(".venv/bin/python app.py")
    assert test in ci_lines


def test_every_environment_variable_read_by_config_is_in_the_readme() -> None:
    source = (PROJECT_DIR / "assistant" / "config.py").read_text()
    names = set(re.findall(r'"((?:ASSISTANT|OPENAI|CHROMA)_[A-Z_]+)"', source))
    assert len(names) > 15
    assert sorted(n for n in names if f"`{n}`" not in README) == []
