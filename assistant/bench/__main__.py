"""`python -m assistant.bench [--out DIR] [--quick]`: how fast the product is, beside the llama-index baseline.

Writes bench.json, bench.md and bench.png in DIR (default reports/bench) and prints the table.
Exit status 0 when the run completed, 2 when it could not run (the message says why). It sets no
targets: speed is read from the numbers, not asserted.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from assistant.bench import measure, summary
from assistant.bench.app_probe import started_app
from assistant.bench.pipelines import Baseline, Ours
from assistant.config import PROJECT_DIR, Settings
from assistant.errors import AssistantError
from assistant.generation.llm import LLM, llm_from_settings
from assistant.retrieval.embed import Embedder

MULTIHOP = PROJECT_DIR.parent / "shared" / "benchmarks" / "multihop-rag"
WARM_UP = "What did the coalition say about training Iraqi forces?"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        data = run(settings, args)
    except AssistantError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    summary.write(args.out, data)
    print(summary.markdown(data))
    print(f"\nWrote {args.out / 'bench.json'}, {args.out / 'bench.md'} and {args.out / 'bench.png'}.")
    return 0


def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement, for both pipelines where comparable."""
    questions = _questions(args.questions, 4 if args.quick else args.answers)
    corpus = _multihop_corpus(args.multihop, args.out, 60 if args.quick else None)
    queries = _multihop_queries(args.multihop, 100 if args.quick else 400)
    half = len(queries) // 2  # each scale gets questions whose vectors the embedder has not cached
    embedder = Embedder.from_model_dir(settings.model_dir)
    llm = llm_from_settings(settings)
    factories: dict[str, measure.Factory] = {
        "ours": lambda d: Ours(settings.with_(data_dir=d), embedder, llm),
        "baseline": lambda d: Baseline(d, embedder, llm),
    }
    seeds = [settings.seeds_dir]
    seed_tokens, corpus_tokens = measure.corpus_tokens(seeds), measure.corpus_tokens([corpus])
    data: dict[str, Any] = {"machine": summary.machine(settings, llm), "ours": {}, "baseline": {}}
    for name, make in factories.items():
        print(f"[{name}] ingest, retrieval, answers…", file=sys.stderr)
        result = data[name]
        result["ingest_seeds"] = measure.ingest(make, seeds, repeats=3, tokens=seed_tokens)
        result["ingest_multihop"] = measure.ingest(make, [corpus], repeats=1, tokens=corpus_tokens)
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            pipeline = make(Path(tmp))
            chunks = pipeline.ingest(seeds)
            result["retrieval_3"] = measure.retrieval(pipeline, questions, repeats=10, chunks=chunks)
            result |= measure.answers(pipeline, questions, warm_up=WARM_UP)
            if name == "ours" and args.ablate:
                data["ladder"] = _ladder(settings.with_(data_dir=Path(tmp)), embedder, llm, questions)
            chunks = pipeline.ingest([corpus])
            result["retrieval_609"] = measure.retrieval(pipeline, queries[:half], repeats=1, chunks=chunks)
            chunks = pipeline.replicate(9)
            result["retrieval_6090"] = measure.retrieval(pipeline, queries[half:], repeats=1, chunks=chunks)
    data["ours"] |= _app_figures(args.out, questions[:3])
    data["machine"]["articles"] = {"seeds": seed_tokens[0], "multihop": corpus_tokens[0]}
    return summary.headline(data)


def _ladder(settings: Settings, embedder: Embedder, llm: LLM, questions: list[str]) -> dict[str, Any]:
    """The answer figures with the speed work added one step at a time, to show what each step bought
    (every step uses the same prompt layout: one header per article, the question once)."""
    whole = {"context_words": 100_000, "passage_floor": 0.0, "sentence_floor": 0.0, "second_article_floor": 0.0}
    steps = [
        ("whole passages, nothing cached", whole, True),
        ("+ KV prefix cache, warm-up, vector cache", whole, False),
        (
            "+ only the relevant sentences (150 words)",
            {"context_words": 150, "passage_floor": 0.0, "sentence_floor": 0.0, "second_article_floor": 0.0},
            False,
        ),
        (
            "+ weak passages left out (passage floor)",
            {"context_words": 150, "sentence_floor": 0.0, "second_article_floor": 0.0},
            False,
        ),
        ("+ sentence floor, 80 words", {"second_article_floor": 0.0}, False),
        ("+ unrelated second article left out (all of ours)", {}, False),
    ]
    ladder = {}
    for label, changes, cold in steps:
        print(f"[ladder] {label}…", file=sys.stderr)
        pipeline = Ours(settings.with_(**changes), embedder, llm, cold=cold)
        result = measure.answers(pipeline, questions, warm_up=WARM_UP)
        ladder[label] = {k: result[k] for k in ("prompt_tokens_p50", "ttft_p50_s", "answer_p50_s", "refused")}
    return ladder


def _app_figures(out: Path, questions: list[str]) -> dict[str, Any]:
    """Cold start of `python app.py` with an empty and with an existing data dir; peak RSS while answering."""
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        with started_app(Path(tmp), out / "app-empty.log") as app:
            empty = app.ready_s
        with started_app(Path(tmp), out / "app-existing.log") as app:
            existing = app.ready_s
            idle = app.peak_rss_mb()
            for question in questions:
                app.ask(question)
            peak = app.peak_rss_mb()
    return {"cold_start_empty_s": empty, "cold_start_s": existing, "idle_rss_mb": idle, "peak_rss_mb": peak}


def _questions(path: Path, count: int) -> list[str]:
    """Answerable single-turn seed questions from a Q&A set (JSON lines with "type" and "question")."""
    if not path.is_file():
        raise AssistantError(f"No question set at {path}.")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = [i["question"] for i in items if i.get("type") == "factoid" and not i.get("history")][:count]
    if len(chosen) < min(count, 4):
        raise AssistantError(f"{path} holds fewer than {min(count, 4)} single-turn factoid questions.")
    return chosen


def _multihop_corpus(folder: Path, out: Path, limit: int | None) -> Path:
    corpus = folder / "corpus.json"
    if not corpus.is_file():
        raise AssistantError(f"{folder} must hold MultiHop-RAG's corpus.json (see the README).")
    if limit is None:
        return corpus
    out.mkdir(parents=True, exist_ok=True)
    subset = out / f"multihop-first-{limit}.json"
    subset.write_text(json.dumps(json.loads(corpus.read_text(encoding="utf-8"))[:limit]), encoding="utf-8")
    return subset


def _multihop_queries(folder: Path, count: int) -> list[str]:
    path = folder / "MultiHopRAG.json"
    if not path.is_file():
        raise AssistantError(f"{folder} must hold MultiHop-RAG's MultiHopRAG.json (see the README).")
    return [q["query"] for q in json.loads(path.read_text(encoding="utf-8"))[:count]]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "reports" / "bench", help="report folder")
    parser.add_argument("--quick", action="store_true", help="4 questions, 60 MultiHop articles (a smoke run)")
    parser.add_argument("--ablate", action="store_true", help="also answer with the speed work added step by step")
    parser.add_argument("--answers", type=int, default=10, help="seed questions answered per pipeline")
    parser.add_argument("--questions", type=Path, default=PROJECT_DIR / "tests" / "data" / "qa.jsonl")
    parser.add_argument("--multihop", type=Path, default=MULTIHOP, help="folder with MultiHop-RAG's files")
    return parser


if __name__ == "__main__":
    sys.exit(main())
