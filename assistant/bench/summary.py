"""bench.json's headline figures, the Markdown table, the chart, and the machine they came from."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.generation import hardware
from assistant.generation.llm import LLM

# headline key -> (label, unit, where it comes from in a pipeline's results)
HEADLINE = {
    "ttft_p50_s": ("time to first token p50", "s", ("ttft_p50_s",)),
    "ttft_p95_s": ("time to first token p95", "s", ("ttft_p95_s",)),
    "answer_p50_s": ("full answer p50", "s", ("answer_p50_s",)),
    "answer_p95_s": ("full answer p95", "s", ("answer_p95_s",)),
    "prompt_tokens_p50": ("prompt tokens p50", "", ("prompt_tokens_p50",)),
    "prompt_tokens_per_s": ("uncached prompt tokens read per second", "", ("prompt_tokens_per_s",)),
    "retrieval_p95_ms_3": ("retrieve p95, 3 articles", "ms", ("retrieval_3", "p95_ms")),
    "retrieval_p95_ms": ("retrieve p95, 609 articles", "ms", ("retrieval_609", "p95_ms")),
    "retrieval_p95_ms_6090": ("retrieve p95, 6,090 articles", "ms", ("retrieval_6090", "p95_ms")),
    "ingest_chunks_per_s": ("ingest chunks/s (MultiHop)", "", ("ingest_multihop", "chunks_per_s")),
    "ingest_tokens_per_s": ("ingest tokens/s (MultiHop)", "", ("ingest_multihop", "tokens_per_s")),
    "ingest_articles_per_s": ("ingest articles/s (MultiHop)", "", ("ingest_multihop", "articles_per_s")),
    "cold_start_s": ("app ready, existing index", "s", ("cold_start_s",)),
    "cold_start_empty_s": ("app ready, empty data dir", "s", ("cold_start_empty_s",)),
    "peak_rss_mb": ("app peak RSS while answering", "MiB", ("peak_rss_mb",)),
}
STAGES = [
    "condense",
    "embed_query",
    "dense",
    "lexical",
    "fusion",
    "fetch",
    "prompt_build",
    "prompt_eval",
    "generation",
    "check",
]


def machine(settings: Settings, llm: LLM) -> dict[str, Any]:
    """What the numbers were measured on."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": hardware.cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "llm": llm.name,
        "llm_threads": settings.llm_threads,
        "llm_extra_buffers": getattr(llm, "extra_buffers", None),  # the embedded model's weight repacking
        "cpu_amx": bool(hardware.AMX_FLAGS & hardware.cpu_flags()),
        "top_k": settings.top_k,
        "context_words": settings.context_words,
    }


def headline(data: dict[str, Any]) -> dict[str, Any]:
    """Lift the headline figures to the top of each pipeline's results and add baseline/ours ratios."""
    for name in ("ours", "baseline"):
        for key, (_, _, path) in HEADLINE.items():
            value: Any = data[name]
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                data[name][key] = round(float(value), 3)
    data["ratios"] = {
        key: round(data["baseline"][key] / data["ours"][key], 2)
        for key in HEADLINE
        if data["ours"].get(key) and data["baseline"].get(key)
    }
    return data


def markdown(data: dict[str, Any]) -> str:
    """The comparison table, the stage breakdown and the machine line."""
    lines = ["| | ours | llama-index baseline | baseline / ours |", "|---|---|---|---|"]
    for key, (label, unit, _) in HEADLINE.items():
        ours, base = data["ours"].get(key), data["baseline"].get(key)
        ratio = data["ratios"].get(key)
        lines.append(f"| {label} | {_cell(ours, unit)} | {_cell(base, unit)} | {f'{ratio:.2f}×' if ratio else '–'} |")
    stages = data["ours"].get("stages", {})
    lines += ["", "Where the time of one answer goes (ours, median over the questions):", ""]
    lines += ["| stage | " + " | ".join(STAGES) + " |", "|---" * (len(STAGES) + 1) + "|"]
    lines.append("| seconds | " + " | ".join(f"{stages.get(f'{s}_s', 0.0):.3f}" for s in STAGES) + " |")
    if data.get("ladder"):
        lines += ["", "What each step bought (ours, seed questions):", ""]
        lines += ["| step | prompt tokens p50 | first token p50 | full answer p50 | declined |", "|---" * 5 + "|"]
        for label, row in data["ladder"].items():
            lines.append(
                f"| {label} | {row['prompt_tokens_p50']:.0f} | {row['ttft_p50_s']:.2f} s | "
                f"{row['answer_p50_s']:.2f} s | {row['refused']} |"
            )
    m = data["machine"]
    lines += [
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}, "
        f"Python {m['python']}; LLM {m['llm']} with {m['llm_threads']} threads"
        f"{_repacking(m)}.",
    ]
    return "\n".join(lines)


def write(out: Path, data: dict[str, Any]) -> None:
    """bench.json, bench.md and bench.png in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    (out / "bench.md").write_text(f"# Speed benchmark\n\n{markdown(data)}\n\n![chart](bench.png)\n")
    _chart(out / "bench.png", data)


def _chart(path: Path, data: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    stages = data["ours"].get("stages", {})
    left.barh(STAGES[::-1], [stages.get(f"{s}_s", 0.0) for s in STAGES[::-1]], color="#4c72b0")
    left.set_xlabel("seconds (median)")
    left.set_title("Where one answer's time goes (ours)")
    keys = ["ttft_p50_s", "answer_p50_s"]
    positions = range(len(keys))
    for offset, name in ((-0.2, "ours"), (0.2, "baseline")):
        values = [data[name].get(k) or 0.0 for k in keys]
        right.bar([p + offset for p in positions], values, width=0.4, label=name)
    right.set_xticks(list(positions), ["first token p50", "full answer p50"])
    right.set_ylabel("seconds")
    right.set_title("Seed questions, embedded model")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _repacking(m: dict[str, Any]) -> str:
    if m.get("llm_extra_buffers") is None:
        return ""
    cpu = "CPU with AMX" if m.get("cpu_amx") else "CPU without AMX"
    return f", llama.cpp weight repacking {'on' if m['llm_extra_buffers'] else 'off'} ({cpu})"


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"
    return f"{text} {unit}".strip()
