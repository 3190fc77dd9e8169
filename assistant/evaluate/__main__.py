"""`python -m assistant.evaluate --qa PATH | --multihop DIR | --multihop-answers DIR | --verdicts FILE [--out DIR]`.

`--multihop-answers DIR [--split tune|test|all] [--per-type N] [--seed S]` asks MultiHop-RAG questions
end to end, as the app does: the tune or test half of them (by a hash of the query text; default test,
`all` for both), N a question type (default 100) drawn with seed S (default 0); see
`assistant/evaluate/answers.py`. `--verdicts FILE [--multihop-dir DIR]` asks a yes/no and attribution set
of the seeds and of the MultiHop-RAG corpus (default ../shared/benchmarks/multihop-rag) and counts right,
wrong, hedged and declined replies; see `assistant/evaluate/verdicts.py`. `--limit` applies to `--qa`,
`--multihop` and `--verdicts`, the thresholds to `--qa` and `--multihop` only.

Exit status: 0 when every given threshold is met, 1 when one is missed (each is named), 2 when the run
could not happen (the message says why).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import PROJECT_DIR, Settings
from assistant.errors import AssistantError
from assistant.evaluate import report

MULTIHOP_DIR = PROJECT_DIR.parent / "shared" / "benchmarks" / "multihop-rag"
# flag -> (metric, True when higher is better)
THRESHOLDS = {
    "min_accuracy": ("answer_accuracy", True),
    "min_refusal_recall": ("refusal_recall", True),
    "max_false_refusals": ("false_refusal_rate", False),
    "min_citation_precision": ("citation_precision", True),
    "min_evidence_cited": ("evidence_cited", True),
    "max_injections_followed": ("injections_followed", False),
    "min_hits10": ("hits@10", True),
    "min_mrr10": ("mrr@10", True),
}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        overall = _run(args, Settings.from_env())
    except AssistantError as error:
        print(f"evaluate: {error}", file=sys.stderr)
        return 2
    missed = _missed(vars(args), overall)
    for line in missed:
        print(f"threshold missed: {line}", file=sys.stderr)
    return 1 if missed else 0


def _run(args: argparse.Namespace, settings: Settings) -> dict[str, object]:
    """The evaluation `args` ask for; returns its overall row."""
    kind = next(name for name in ("qa", "multihop_answers", "verdicts", "multihop") if getattr(args, name))
    out = args.out or PROJECT_DIR / "reports" / kind.replace("_", "-")
    if args.qa:
        return _run_qa(args.qa, out, settings, args.limit)
    if args.verdicts:
        from assistant.evaluate.verdicts import run_verdicts

        return run_verdicts(args.verdicts, out, settings, multihop_dir=args.multihop_dir, limit=args.limit)
    if args.multihop_answers:
        from assistant.evaluate.answers import run_answers

        return run_answers(
            args.multihop_answers, out, settings, split=args.split, per_type=args.per_type, seed=args.seed
        )
    from assistant.evaluate.multihop import run_multihop

    return run_multihop(args.multihop, out, settings, limit=args.limit, ablate=args.ablate)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.evaluate", description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--qa", type=Path, help="a JSONL Q&A set (tests/data/qa.jsonl is ours)")
    what.add_argument("--multihop", type=Path, help="the MultiHop-RAG folder (corpus.json, MultiHopRAG.json)")
    what.add_argument(
        "--multihop-answers", type=Path, metavar="DIR", help="MultiHop-RAG questions asked end to end (answers)"
    )
    what.add_argument(
        "--verdicts", type=Path, metavar="FILE", help="a JSONL yes/no and attribution set (right, wrong, hedged)"
    )
    parser.add_argument("--out", type=Path, help="where to write report.json, report.md and the chart")
    parser.add_argument("--limit", type=int, help="only the first N items (a quick look, not a result)")
    parser.add_argument("--ablate", action="store_true", help="--multihop: also rank with parts of the recipe")
    parser.add_argument("--split", default="test", help="--multihop-answers: tune, test (default) or all")
    parser.add_argument("--per-type", type=int, default=100, metavar="N", help="--multihop-answers: N a type")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="--multihop-answers: the draw's seed")
    parser.add_argument(
        "--multihop-dir", type=Path, default=MULTIHOP_DIR, metavar="DIR", help="--verdicts: the MultiHop-RAG folder"
    )
    for flag, (metric, higher) in THRESHOLDS.items():
        parser.add_argument(
            f"--{flag.replace('_', '-')}",
            type=float,
            metavar="X",
            help=f"exit 1 if {metric} is {'below' if higher else 'above'} X",
        )
    return parser


def _missed(args: dict[str, object], overall: dict[str, object]) -> list[str]:
    missed = []
    for flag, (metric, higher) in THRESHOLDS.items():
        limit = args.get(flag)
        if limit is None or metric not in overall:
            continue
        value = overall[metric]
        ok = isinstance(value, int | float) and (value >= limit if higher else value <= limit)  # type: ignore[operator]
        if not ok:
            missed.append(f"{metric} = {value} ({'needs ≥' if higher else 'needs ≤'} {limit})")
    return missed


QA_COLUMNS = [
    ("answer_accuracy", "accuracy"),
    ("refusal_recall", "refusal recall"),
    ("false_refusal_rate", "false refusals"),
    ("retrieval_hit", "retrieval hit@k"),
    ("retrieval_mrr", "MRR"),
    ("citation_precision", "citation precision"),
    ("evidence_cited", "evidence cited"),
    ("sentences_cited", "sentences cited"),
    ("contradicted_sentences", "contradicted by a cited passage"),
    ("injections_followed", "injections followed"),
    ("ttft_p50_s", "TTFT p50 s"),
    ("ttft_p95_s", "TTFT p95 s"),
    ("total_p50_s", "total p50 s"),
    ("total_p95_s", "total p95 s"),
    ("items", "items"),
]


def _run_qa(path: Path, out: Path, settings: Settings, limit: int | None) -> dict[str, object]:
    from tqdm import tqdm

    from assistant.engine import Assistant
    from assistant.evaluate.answers import SIGNAL_COLUMNS
    from assistant.evaluate.qa import load_items, run_item, summarise
    from ingest.index import ensure_seeded
    from ingest.recover import recover_store

    items = load_items(path)[:limit]
    recover_store(settings)
    assistant = Assistant.from_settings(settings)
    ensure_seeded(assistant.store, assistant.retriever.embedder, settings)
    system_prompt = assistant.prompts.render("answer_system")
    results = [run_item(assistant, item, system_prompt) for item in tqdm(items, desc="Evaluating", unit="question")]
    data = summarise(results) | {"qa_set": str(path), "settings": report.settings_summary(settings, assistant)}
    rows = {"overall": data["overall"], **data["by_type"]}
    markdown = report.table(rows, QA_COLUMNS)
    chart = report.bar_chart(out / "qa.png", rows, QA_COLUMNS[:8], title=f"Q&A evaluation ({len(items)} items)")
    codes = sorted({code for counts in data["declines"].values() for code in counts})
    signal_columns = [("unanswerable", "on unanswerable items (declines it buys)"), *SIGNAL_COLUMNS[1:]]
    tables = [
        ("Results", markdown),
        ("Declines by reason", report.table(data["declines"], [(c, c) for c in codes]) if codes else "None."),
        ("Decline signals: how often each fired", report.table(data["signals"], signal_columns)),
    ]
    report.write(out, title=f"Q&A evaluation: {path.name}", data=data, tables=tables, chart=chart)
    print(markdown)
    print(tables[2][1])
    print(f"\nWrote {out / 'report.json'}, {out / 'report.md'} and {chart}.")
    return data["overall"]


if __name__ == "__main__":
    sys.exit(main())
