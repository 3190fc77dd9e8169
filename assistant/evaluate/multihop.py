"""The MultiHop-RAG retrieval benchmark (Tang & Yang, COLM 2024), by the paper's protocol.

The corpus is ingested into its own collection (cached: a second run embeds nothing), every scored
question (null queries skipped) is retrieved with k=10, and a chunk counts as relevant when a gold fact,
whitespace removed, is a substring of the chunk text, whitespace removed. Generation accuracy is not
measured here.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.evaluate import report
from assistant.evaluate.scoring import percentile, squeeze
from assistant.retrieval.retrieve import Retriever, build_retriever
from ingest.index import ingest_settled

K = 10
COLUMNS = [
    ("mrr@10", "MRR@10"),
    ("map@10", "MAP@10"),
    ("hits@10", "Hits@10"),
    ("hits@4", "Hits@4"),
    ("evidence_recall@10", "evidence recall@10"),
]


def run_multihop(
    folder: Path, out: Path, settings: Settings, *, limit: int | None = None, ablate: bool = False
) -> dict[str, Any]:
    """Ingest, retrieve, score, write the reports; returns the overall metrics."""
    corpus, queries_path = benchmark_files(folder)
    settings = benchmark_settings(settings)
    retriever = build_retriever(settings)
    ingest_seconds = ingest_corpus(corpus, retriever, settings)
    queries = [q for q in json.loads(queries_path.read_text()) if q["question_type"] != "null_query"][:limit]
    scored, latencies = _retrieve_all(retriever, queries)
    ablation = {name: _metrics(_retrieve_all(variant, queries)[0]) for name, variant in _variants(retriever, ablate)}
    rows = {"ours (all)": _metrics(scored)} | {
        f"ours: {kind}": _metrics([s for s in scored if s["type"] == kind])
        for kind in sorted({s["type"] for s in scored})
    }
    paper = _paper_rows(folder)
    overall: dict[str, Any] = rows["ours (all)"] | {
        "retrieve_p50_ms": percentile(latencies, 50),
        "retrieve_p95_ms": percentile(latencies, 95),
    }
    data: dict[str, Any] = {
        "overall": overall,
        "rows": rows,
        "ablation": ablation,
        "paper": paper,
        "questions": len(scored),
        "chunks": retriever.store.count(),
        "ingest_seconds": ingest_seconds,
        "settings": {
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
            "retriever": retriever.describe(),
        },
    }
    chart_rows = {"ours": rows["ours (all)"]} | {k: v for k, v in paper.items() if k.startswith("paper best")}
    chart = report.bar_chart(out / "multihop.png", chart_rows, COLUMNS, title="MultiHop-RAG retrieval")
    markdown = report.table(rows | ablation | paper, COLUMNS)
    timing = (
        f"{len(scored)} questions, {data['chunks']} chunks of ≤{settings.chunk_tokens} tokens "
        f"(overlap {settings.chunk_overlap}); retrieve p50 {overall['retrieve_p50_ms']:.1f} ms, "
        f"p95 {overall['retrieve_p95_ms']:.1f} ms; ingest {ingest_seconds:.0f} s."
    )
    report.write(
        out, title="MultiHop-RAG retrieval", data=data, tables=[("Results", markdown + "\n\n" + timing)], chart=chart
    )
    print(markdown + "\n\n" + timing)
    print(f"\nWrote {out / 'report.json'}, {out / 'report.md'} and {chart}.")
    return overall


def _variants(retriever: Retriever, ablate: bool) -> list[tuple[str, Retriever]]:
    """The same store ranked by parts of the recipe, to show what each part buys."""
    if not ablate:
        return []
    store, embedder, lexical_dir = retriever.store, retriever.embedder, retriever.lexical_dir
    return [
        ("ablation: dense only (Chroma)", Retriever(store, embedder)),
        ("ablation: BM25 only", Retriever(store, embedder, lexical_dir=lexical_dir, weights=(1.0, 0.0), steer=False)),
        (
            "ablation: BM25 + dense, no outlet/date steering",
            Retriever(store, embedder, lexical_dir=lexical_dir, weights=retriever.weights, steer=False),
        ),
        (
            "ablation: BM25 with outlet/date steering, no dense",
            Retriever(store, embedder, lexical_dir=lexical_dir, weights=(1.0, 0.0)),
        ),
    ]


def benchmark_files(folder: Path) -> tuple[Path, Path]:
    """The corpus and the queries of the MultiHop-RAG folder; AssistantError when either is missing."""
    corpus, queries = folder / "corpus.json", folder / "MultiHopRAG.json"
    if not corpus.is_file() or not queries.is_file():
        raise AssistantError(f"{folder} must hold corpus.json and MultiHopRAG.json (the MultiHop-RAG data).")
    return corpus, queries


def benchmark_settings(settings: Settings) -> Settings:
    """`settings` with the benchmark's own collection, one per chunking (so each is ingested once)."""
    return settings.with_(collection=f"multihop-{settings.chunk_tokens}-{settings.chunk_overlap}")


def ingest_corpus(corpus: Path, retriever: Retriever, settings: Settings) -> float:
    """Ingest the corpus into the retriever's store (a no-op when it is there already); the seconds it took."""
    result = ingest_settled([corpus], settings=settings, store=retriever.store, embedder=retriever.embedder)
    retriever.refresh()
    print(f"Corpus: {result.summary()}.")
    return result.seconds


def _retrieve_all(retriever: Retriever, queries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[float]]:
    scored, latencies = [], []
    for query in tqdm(queries, desc="Retrieving", unit="question"):
        started = time.perf_counter()
        passages = retriever.retrieve(query["query"], K)
        latencies.append((time.perf_counter() - started) * 1000)
        facts = [squeeze(e["fact"]) for e in query["evidence_list"]]
        chunks = [squeeze(p.text) for p in passages]
        scored.append(
            {
                "type": query["question_type"].removesuffix("_query"),
                "relevant": [any(f in c for f in facts) for c in chunks],
                "found": [any(f in c for c in chunks) for f in facts],
            }
        )
    return scored, latencies


def _metrics(scored: list[dict[str, Any]]) -> dict[str, float]:
    """Hits@4/10, MRR@10, MAP@10 (precision at each relevant rank / min(facts, 10)), evidence recall@10."""
    if not scored:
        return {}
    totals: dict[str, float] = defaultdict(float)
    for s in scored:
        relevant = s["relevant"][:K]
        first = next((i for i, r in enumerate(relevant, start=1) if r), 0)
        totals["hits@10"] += bool(first)
        totals["hits@4"] += 0 < first <= 4
        totals["mrr@10"] += 1 / first if first else 0.0
        hits, precision_sum = 0, 0.0
        for i, r in enumerate(relevant, start=1):
            if r:
                hits += 1
                precision_sum += hits / i
        totals["map@10"] += min(1.0, precision_sum / max(1, min(len(s["found"]), K)))
        totals["evidence_recall@10"] += sum(s["found"]) / max(1, len(s["found"]))
    return {name: value / len(scored) for name, value in totals.items()} | {"questions": len(scored)}


def _paper_rows(folder: Path) -> dict[str, dict[str, float]]:
    table = published(folder, "table5_retrieval")
    if not table:
        return {}
    keys = ["mrr@10", "map@10", "hits@10", "hits@4"]
    rows = {
        "paper best: voyage-02 + bge-reranker-large": table["with_bge-reranker-large"]["voyage-02"],
        "paper best without reranker: bge-large-en-v1.5": table["without_reranker"]["bge-large-en-v1.5"],
    }
    return {name: dict(zip(keys, values, strict=True)) for name, values in rows.items()}


def published(folder: Path, table: str) -> dict[str, Any]:
    """One table of the paper's numbers in `published_numbers.json`; empty when the file is not there."""
    path = folder / "published_numbers.json"
    return dict(json.loads(path.read_text())[table]) if path.is_file() else {}
