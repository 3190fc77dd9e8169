"""The speed benchmark's parts: both pipelines over a real Chroma store, and the arithmetic of its report.

The full `python -m assistant.bench` run is a benchmark, not a test; here the pipelines run with a
scripted LLM, so what is checked is what each one sends to the model and finds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bench import measure, summary
from assistant.bench.pipelines import Baseline, Ours, Reply
from assistant.retrieval.embed import Embedder
from tests.conftest import SEEDS, make_settings
from tests.fakes import ScriptedLLM

QUESTION = "How many Sunni civilians did Reuters confirm were killed?"


def test_baseline__llama_index_defaults_send_whole_chunks_to_the_same_llm(tmp_path: Path, embedder: Embedder) -> None:
    llm = ScriptedLLM("66 [1]")
    baseline = Baseline(tmp_path / "baseline", embedder, llm)
    chunks = baseline.ingest([SEEDS])
    reply = baseline.answer(QUESTION)
    prompt = llm.calls[0][0]["content"]
    assert chunks == 3  # default chunking: 1,024 tokens, so one chunk per seed article
    assert "66 Sunni civilians" in prompt and QUESTION in prompt and "Context information" in prompt
    assert reply.text == "66 [1]" and 0 < reply.first_token_s <= reply.total_s


def test_ours__replicate_adds_copies_under_new_ids_that_retrieval_finds(tmp_path: Path, embedder: Embedder) -> None:
    ours = Ours(make_settings(tmp_path / "data"), embedder, ScriptedLLM())
    chunks = ours.ingest([SEEDS])
    assert ours.replicate(2) == 3 * chunks
    found = ours.retriever.retrieve(QUESTION, 3)
    assert len({p.chunk_id for p in found}) == 3
    assert all("66 Sunni civilians" in p.text for p in found)  # the original and its two copies
    assert {p.source_id.partition("~")[2] for p in found} == {"", "1", "2"}


def test_ours__answer_reports_the_llm_prompt_tokens_and_stages(tmp_path: Path, embedder: Embedder) -> None:
    llm = ScriptedLLM("Reuters confirmed 66 Sunni civilians were killed [1].")
    ours = Ours(make_settings(tmp_path / "data"), embedder, llm)
    ours.ingest([SEEDS])
    llm.usage = {"prompt_tokens": 321}
    reply = ours.answer(QUESTION)
    assert reply.prompt_tokens == 321 and not reply.refused
    assert {"prompt_build_s", "prompt_eval_s", "check_s"} <= set(reply.stages)


class _Timed:
    """A scripted pipeline: replies in order, recording questions."""

    name = "scripted"

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies
        self.asked: list[str] = []

    def ingest(self, paths: list[Path]) -> int:
        return 0

    def replicate(self, copies: int) -> int:
        return 0

    def retrieve(self, question: str) -> None:
        self.asked.append(question)

    def answer(self, question: str) -> Reply:
        self.asked.append(question)
        return self.replies.pop(0)


def test_answers__warm_up_is_not_counted() -> None:
    replies = [Reply("warm", False, 999, 50.0, 60.0)] + [Reply("a", False, 100 * n, n, 2 * n) for n in (1, 2, 3)]
    pipeline = _Timed(replies)
    result = measure.answers(pipeline, ["q1", "q2", "q3"], warm_up="w")
    assert pipeline.asked == ["w", "q1", "q2", "q3"]
    assert result["ttft_p50_s"] == 2 and result["answer_p50_s"] == 4 and result["prompt_tokens_p50"] == 200
    assert result["questions"] == 3 and [r["question"] for r in result["replies"]] == ["q1", "q2", "q3"]


@pytest.mark.parametrize(
    ("ours", "baseline", "ratio"),
    [(2.0, 6.0, 3.0), (4.0, 4.0, 1.0), (None, 5.0, None)],
)
def test_headline__lifts_figures_and_divides_baseline_by_ours(
    ours: float | None, baseline: float, ratio: float | None
) -> None:
    data = {
        "machine": {},
        "ours": {"ttft_p50_s": ours, "retrieval_609": {"p95_ms": 10.0}},
        "baseline": {"ttft_p50_s": baseline, "retrieval_609": {"p95_ms": 25.0}},
    }
    result = summary.headline(data)
    assert result["ratios"].get("ttft_p50_s") == ratio
    assert result["ours"]["retrieval_p95_ms"] == 10.0 and result["ratios"]["retrieval_p95_ms"] == 2.5
