"""Writing a run's results: `report.json`, `report.md`, a PNG bar chart, and a table on stdout."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings

Column = tuple[str, str]  # (metric key, column heading)


def table(rows: Mapping[str, Mapping[str, Any]], columns: Sequence[Column]) -> str:
    """A Markdown table: one row per entry of `rows`, one column per metric."""
    lines = ["| | " + " | ".join(h for _, h in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, metrics in rows.items():
        lines.append(f"| {name} | " + " | ".join(_cell(metrics.get(k)) for k, _ in columns) + " |")
    return "\n".join(lines)


def fired(groups: Mapping[str, Sequence[Sequence[str]]], codes: Sequence[str] = ()) -> dict[str, dict[str, int]]:
    """For each code (those given, then any seen), in how many entries of each group it appears; the last
    row, "(questions)", holds the size of each group. An entry is the codes one question fired."""
    seen = dict.fromkeys([*codes, *(code for entries in groups.values() for entry in entries for code in entry)])
    counts = {
        code: {name: sum(code in entry for entry in entries) for name, entries in groups.items()} for code in seen
    }
    return counts | {"(questions)": {name: len(entries) for name, entries in groups.items()}}


def declines(groups: Mapping[str, Sequence[str | None]]) -> dict[str, dict[str, int]]:
    """Per group, how many of its questions were declined for each reason code (None: answered)."""
    codes = sorted({code for entries in groups.values() for code in entries if code})
    return {name: {code: sum(entry == code for entry in entries) for code in codes} for name, entries in groups.items()}


def write(
    out: Path, *, title: str, data: dict[str, Any], tables: Sequence[tuple[str, str]], chart: Path | None = None
) -> None:
    """Save `data` as report.json and the Markdown `tables` (heading, table) as report.md."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False))
    parts = [f"# {title}"] + [f"## {heading}\n\n{body}" for heading, body in tables]
    if chart is not None:
        parts.append(f"![chart]({chart.name})")
    (out / "report.md").write_text("\n\n".join(parts) + "\n")


def bar_chart(path: Path, rows: Mapping[str, Mapping[str, Any]], columns: Sequence[Column], *, title: str) -> Path:
    """Grouped bars: one group per metric, one bar per row (values 0..1)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(rows)
    width = 0.8 / max(1, len(names))
    figure, axis = plt.subplots(figsize=(max(6.0, 1.4 * len(columns) + 2), 4.2))
    for index, name in enumerate(names):
        values = [float(rows[name].get(key) or 0.0) for key, _ in columns]
        positions = [c + index * width - 0.4 + width / 2 for c in range(len(columns))]
        axis.bar(positions, values, width=width, label=name)
    axis.set_xticks(range(len(columns)), [heading for _, heading in columns], rotation=20, ha="right")
    axis.set_ylim(0, 1.05)
    axis.set_title(title)
    axis.legend(fontsize=8, ncol=min(4, len(names)))
    axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def settings_summary(settings: Settings, assistant: object) -> dict[str, object]:
    """The settings a run's numbers depend on, and the model that answered."""
    return {
        "llm": settings.llm,
        "model": getattr(getattr(assistant, "llm", None), "name", ""),
        "top_k": settings.top_k,
        "context_words": settings.context_words,
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
    }


def _cell(value: Any) -> str:
    """One line of Markdown: floats to three places, lists joined, line breaks and pipes escaped."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    text = " · ".join(map(str, value)) if isinstance(value, list) else str(value)
    return re.sub(r"\s*\n\s*", " ", text).replace("|", "\\|")
