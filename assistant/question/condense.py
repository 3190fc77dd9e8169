"""Condensing a follow-up into a standalone question, so that retrieval sees what it is about.

A question with history that reads as a follow-up (a pronoun, "what about", "and") is rewritten by the
model from the last three turns; any other question passes through unchanged. A rewrite that is empty
or far longer than the question falls back to the previous question followed by this one. It does not
resolve references itself.
"""

from __future__ import annotations

import re

from assistant.generation.llm import LLM
from assistant.generation.prompts import Prompts
from assistant.grounding.citations import strip_markers
from assistant.question.validate import Turn

_FOLLOW_UP = re.compile(
    r"\b(he|she|it|its|they|them|their|his|her|this|that|these|those|there|then|former|latter|same|also|"
    r"what about|how about|why|and)\b",
    re.IGNORECASE,
)
_MAX_TOKENS = 64
_TURNS = 3
_ANSWER_CHARS = 600


def condense(question: str, turns: list[Turn], *, llm: LLM, prompts: Prompts) -> str:
    """A standalone question for retrieval: the LLM rewrites follow-ups; others pass through."""
    if not turns or not _FOLLOW_UP.search(question):
        return question
    history = "\n".join(f"User: {u}\nAssistant: {strip_markers(a)[:_ANSWER_CHARS]}" for u, a in turns[-_TURNS:])
    prompt = prompts.render("condense", history=history, question=question)
    rewritten = "".join(llm.stream([{"role": "user", "content": prompt}], max_tokens=_MAX_TOKENS))
    rewritten = rewritten.strip().strip('"').splitlines()[0].strip() if rewritten.strip() else ""
    if len(rewritten) < 5 or len(rewritten) > 4 * len(question) + 200:
        return f"{turns[-1][0]} {question}"  # cheap fallback: the previous question gives the context
    return rewritten
