"""The measurements, one function per figure; each returns plain numbers for bench.json.

Times are wall clock on an otherwise idle machine (run nothing else meanwhile: two cores are easily
shared away). Answers are measured once per distinct question: asking the same question twice would
find its whole prompt in llama.cpp's cache and measure the cache, not the pipeline.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.bench.pipelines import Reply
from assistant.evaluate.scoring import percentile
from ingest.load import load_paths


class Pipeline(Protocol):
    """What both pipelines offer the benchmark."""

    name: str

    def ingest(self, paths: list[Path]) -> int: ...
    def replicate(self, copies: int) -> int: ...
    def retrieve(self, question: str) -> None: ...
    def answer(self, question: str) -> Reply: ...


Factory = Callable[[Path], Pipeline]


def corpus_tokens(paths: Sequence[Path]) -> tuple[int, int]:
    """(articles, tiktoken cl100k tokens of their cleaned text): the same numerator for both pipelines."""
    from llama_index.core.utils import get_tokenizer

    encode = get_tokenizer()
    articles = load_paths(paths).articles
    return len(articles), sum(len(encode(a.body)) for a in articles)


def ingest(make: Factory, paths: list[Path], *, repeats: int, tokens: tuple[int, int]) -> dict[str, float]:
    """Median ingest time into a fresh store over `repeats` runs, as throughput figures."""
    seconds, chunks = [], 0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            pipeline = make(Path(tmp))
            started = time.perf_counter()
            chunks = pipeline.ingest(paths)
            seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    articles, count = tokens
    return {
        "articles": articles,
        "chunks": chunks,
        "seconds": median,
        "articles_per_s": articles / median,
        "chunks_per_s": chunks / median,
        "tokens_per_s": count / median,
    }


def retrieval(pipeline: Pipeline, questions: Sequence[str], *, repeats: int, chunks: int) -> dict[str, float]:
    """Latency of `retrieve` (k as each pipeline uses it) over the questions, after three warm-up calls."""
    for question in questions[:3]:
        pipeline.retrieve(question)
    latencies = []
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            pipeline.retrieve(question)
            latencies.append((time.perf_counter() - started) * 1000)
    return {
        "chunks": chunks,
        "calls": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }


def answers(pipeline: Pipeline, questions: Sequence[str], *, warm_up: str) -> dict[str, Any]:
    """Each question answered once, after one uncounted warm-up question."""
    pipeline.answer(warm_up)
    replies = [(question, pipeline.answer(question)) for question in questions]
    first = [r.first_token_s for _, r in replies]
    total = [r.total_s for _, r in replies]
    tokens = [r.prompt_tokens for _, r in replies if r.prompt_tokens]
    evaluated, eval_ms = sum(r.evaluated[0] for _, r in replies), sum(r.evaluated[1] for _, r in replies)
    return {
        "questions": len(replies),
        "refused": sum(r.refused for _, r in replies),
        "prompt_tokens_p50": percentile(tokens, 50),
        "prompt_tokens_per_s": evaluated / eval_ms * 1000 if eval_ms else None,
        "ttft_p50_s": percentile(first, 50),
        "ttft_p95_s": percentile(first, 95),
        "answer_p50_s": percentile(total, 50),
        "answer_p95_s": percentile(total, 95),
        "stages": _median_stages([r.stages for _, r in replies if r.stages]),
        "replies": [
            {
                "question": q,
                "answer": r.text,
                "refused": r.refused,
                "prompt_tokens": r.prompt_tokens,
                "first_token_s": round(r.first_token_s, 3),
                "total_s": round(r.total_s, 3),
            }
            for q, r in replies
        ],
    }


def _median_stages(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted({k for row in rows for k in row})
    return {k: statistics.median(row.get(k, 0.0) for row in rows) for k in keys}
