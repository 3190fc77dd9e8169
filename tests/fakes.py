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
