"""Scripted fakes that record what they were sent (used only where the real part would be slow)."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.llm import Message


class ScriptedLLM:
    """An LLM that replies with queued texts, in order, and records every prompt it was sent."""

    name = "scripted"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.calls: list[list[Message]] = []
        self.usage: dict[str, float] = {}

    def enqueue(self, *replies: str) -> None:
        """Queue more replies."""
        self.replies.extend(replies)

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        self.calls.append(messages)
        if not self.replies:
            raise AssertionError("ScriptedLLM was called more often than replies were queued")
        reply = self.replies.pop(0)
        for start in range(0, len(reply), 7):  # arrive in pieces, as a real model's tokens do
            yield reply[start : start + 7]


class QuotingLLM:
    """An LLM that answers by quoting the first sentence of passage 1 with `[1]` (so citations check),
    with a pause before each piece, and records every prompt. Condensing prompts get the last question."""

    name = "quoting"

    def __init__(self, *, pause_s: float = 0.0) -> None:
        self.pause_s = pause_s
        self.calls: list[list[Message]] = []

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        import re
        import time

        self.calls.append(messages)
        prompt = messages[-1]["content"]
        passage = re.search(r"<passage id=\"1\"[^\n]*>\n\s*(.+?)(?<=[.!?])\s", prompt, re.DOTALL)
        if passage is None:  # the condensing prompt: the last question, unchanged
            last = re.search(r"Last question: (.+)", prompt)
            reply = last.group(1).strip() if last else "The articles do not say."
        else:
            reply = f"{' '.join(passage.group(1).split())} [1]"
        for start in range(0, len(reply), 7):
            time.sleep(self.pause_s)
            yield reply[start : start + 7]
