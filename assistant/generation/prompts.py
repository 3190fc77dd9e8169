"""Prompt files with named variables, checked on load.

Each prompt lives in `prompts/NAME.txt` and uses `{variable}` placeholders. Loading fails loudly, naming
the file and the variable, when a placeholder the code fills in is missing or an unknown one appears.
Values are inserted once and never re-interpreted, so braces inside article text are harmless.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import PromptError

#: Every prompt the model sees, with the variables the code fills in.
REQUIRED: dict[str, frozenset[str]] = {
    "answer_system": frozenset(),
    "answer_user": frozenset({"passages", "question"}),
    "article": frozenset({"title", "outlet", "author", "passages"}),
    "passage": frozenset({"n", "text"}),
    "condense": frozenset({"history", "question"}),
    "verify": frozenset({"source", "sentence", "claim"}),
    "verify_question": frozenset({"source", "sentence", "question"}),
    "claims": frozenset({"question"}),
}


@dataclass(frozen=True)
class Prompts:
    """The loaded prompt templates, by name."""

    templates: dict[str, str]

    @classmethod
    def load(cls, directory: Path) -> Prompts:
        """Read and check every prompt in REQUIRED from `directory`."""
        templates = {}
        for name, variables in REQUIRED.items():
            path = directory / f"{name}.txt"
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as error:
                raise PromptError(f"Prompt file {path} cannot be read ({error.strerror or error}).") from None
            _check(path, text, variables)
            templates[name] = text.strip()
        return cls(templates)

    def render(self, name: str, **values: object) -> str:
        """Fill prompt `name` with `values` (exactly its declared variables)."""
        expected = REQUIRED[name]
        if set(values) != expected:
            raise PromptError(f"Prompt '{name}' takes {sorted(expected)}, got {sorted(values)}.")
        return self.templates[name].format(**{k: str(v) for k, v in values.items()})


def _check(path: Path, text: str, variables: frozenset[str]) -> None:
    try:
        found = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as error:
        raise PromptError(f"Prompt file {path} is not a valid template: {error}.") from None
    missing, unknown = variables - found, found - variables
    if missing:
        raise PromptError(f"Prompt file {path} is missing the variable {{{sorted(missing)[0]}}}.")
    if unknown:
        raise PromptError(f"Prompt file {path} uses an unknown variable {{{sorted(unknown)[0]}}}.")
