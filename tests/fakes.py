"""Scripted fakes that record what they were sent (used only where the real part would be slow)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from assistant.generation.llm import Message
from assistant.grounding.verify import Evidence, Judgement
from assistant.retrieval.embed import Embedder


def _one_word(word: str, options: Sequence[str]) -> dict[str, float]:
    """Log-probabilities that put 0.98 on `word` (TRUE, FALSE or UNKNOWN: the first, second or third
    option, so YES / NO / UNKNOWN too) and share the rest among the others."""
    chosen = options[("TRUE", "FALSE", "UNKNOWN").index(word)]
    rest = math.log(0.02 / max(1, len(options) - 1))
    return {option: math.log(0.98) if option == chosen else rest for option in options}


class ScriptedLLM:
    """An LLM that replies with queued texts, in order, and records every prompt it was sent; judged
    (`choose`) it gives the queued one-word verdicts in order, then `judge` (TRUE unless told)."""

    name = "scripted"

    def __init__(self, *replies: str, verdicts: Sequence[str] = (), judge: str = "TRUE") -> None:
        self.replies = list(replies)
        self.verdicts = list(verdicts)
        self.judge = judge
        self.calls: list[list[Message]] = []
        self.judged: list[list[Message]] = []
        self.usage: dict[str, float] = {}

    def enqueue(self, *replies: str) -> None:
        """Queue more replies."""
        self.replies.extend(replies)

    def choose(self, messages: list[Message], options: Sequence[str]) -> dict[str, float]:
        self.judged.append(messages)
        return _one_word(self.verdicts.pop(0) if self.verdicts else self.judge, options)

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        self.calls.append(messages)
        if not self.replies:
            raise AssertionError("ScriptedLLM was called more often than replies were queued")
        reply = self.replies.pop(0)
        for start in range(0, len(reply), 7):  # arrive in pieces, as a real model's tokens do
            yield reply[start : start + 7]


class QuotingLLM:
    """An LLM that answers by quoting the first sentence of passage 1 with `[1]` (so citations check),
    with a pause before each piece, and records every prompt and the most replies it generated at once.
    Condensing prompts get the last question."""

    name = "quoting"

    def __init__(self, *, pause_s: float = 0.0) -> None:
        import threading

        self.pause_s = pause_s
        self.calls: list[list[Message]] = []
        self.streaming = 0  # replies being generated now
        self.most_at_once = 0  # the most ever generated at once
        self._count = threading.Lock()

    def choose(self, messages: list[Message], options: Sequence[str]) -> dict[str, float]:
        """Its answers quote their passage, so every claim it is asked about is judged TRUE."""
        self.calls.append(messages)
        return _one_word("TRUE", options)

    def stream(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        with self._count:
            self.streaming += 1
            self.most_at_once = max(self.most_at_once, self.streaming)
        try:
            yield from self._reply(messages)
        finally:
            with self._count:
                self.streaming -= 1

    def _reply(self, messages: list[Message]) -> Iterator[str]:
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


class MemoEmbedder:
    """The real embedder's vectors, each text embedded once (kept in `file` between runs when given)."""

    model_id = Embedder.model_id
    dimension = Embedder.dimension

    def __init__(self, make: Callable[[], Embedder], file: Path | None = None) -> None:
        self._make = make
        self._real: Embedder | None = None
        self._file = file
        self._vectors: dict[str, np.ndarray] = {}
        if file is not None and file.exists():
            saved = np.load(file)
            self._vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts`; those not seen before come from the real embedder."""
        keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        missing = dict(item for item in zip(keys, texts, strict=True) if item[0] not in self._vectors)
        if missing:
            self._real = self._real or self._make()
            self._vectors.update(zip(missing, self._real.embed(list(missing.values())), strict=True))
            if self._file is not None:
                np.savez(self._file, keys=np.array(list(self._vectors)), vectors=np.stack(list(self._vectors.values())))
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])

    def embed_one(self, text: str) -> np.ndarray:
        """One unit vector."""
        return self.embed([text])[0]


class ScriptedVerifier:
    """A verifier that judges by a table of (words in the claim, words in the sentence) -> TRUE or FALSE,
    UNKNOWN for any other pair, and records every (claim, sentence) it judged."""

    support = 0.8
    contradict = 0.8
    doubt = 0.4
    attribute = 0.5

    def __init__(self, table: dict[tuple[str, str], str]) -> None:
        self.table = table
        self.judged: list[tuple[str, str]] = []

    def answer(self, question: str, evidence: Evidence) -> Judgement:
        return self.judge(question, evidence)

    def judge(self, claim: str, evidence: Evidence) -> Judgement:
        self.judged.append((claim, evidence.sentence))
        label = next((v for (c, e), v in self.table.items() if c in claim and e in evidence.sentence), "UNKNOWN")
        return Judgement(evidence, 0.95 if label == "TRUE" else 0.02, 0.95 if label == "FALSE" else 0.02)
