"""Answers and articles as page markup: pure functions, every piece of article and model text escaped.

The only markup produced is our own: `<a href='#src-T-N'>` citation links, `<sup>`, `<details>`,
`<mark>`, `<b>` and the `<span class='badge'>` that says whether an answer is a verified verdict, a
hedge or a decline. Article and model text never becomes markup (no script, event handler, form, image
or link survives), and an article's own URL is a link only when its host is on the allowlist
(`ASSISTANT_LINK_HOSTS`, empty by default). It does not render Markdown written by the model.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from assistant.types import Answer, Citation, Passage

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")
EMPTY_SOURCES = "<p class='src-head'>Passages behind an answer appear here, numbered like its [n] markers.</p>"


def escape_md(text: str) -> str:
    """Text shown literally in the chat: no Markdown or HTML in it is interpreted."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def answer_md(answer: Answer, turn: int) -> str:
    """The answer for the chat, each `[n]` a link to passage n of this turn in the Sources panel, under a
    badge when it is a verified verdict, a hedge or a decline."""
    count = len(answer.passages)
    return _badge(answer) + _ESCAPED_MARKER.sub(lambda m: _cite_link(turn, m, count), escape_md(answer.text))


def _badge(answer: Answer) -> str:
    if answer.refused:
        return "<span class='badge declined' title='The articles do not answer this'>Not in the articles</span>"
    if answer.hedged:
        return "<span class='badge hedged' title='The closest evidence, no verdict'>Not settled by the articles</span>"
    if answer.verdict:
        return "<span class='badge verified' title='Checked sentence by sentence'>Verified</span>"
    return ""


def _cite_link(turn: int, marker: re.Match[str], count: int) -> str:
    n = int(marker.group(1))
    return f"<a href='#src-{turn}-{n}' class='cite'>[{n}]</a>" if 1 <= n <= count else marker.group(0)


def messages(conversation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages for saved turns; each answer keeps its own sources and numbering."""
    shown: list[dict[str, Any]] = []
    for turn, saved in enumerate(conversation):
        answer = Answer.from_dict(saved["answer"])
        shown.append({"role": "user", "content": escape_md(saved["question"])})
        shown.append({"role": "assistant", "content": answer_md(answer, turn)})
        if answer.citations or _rewritten(saved["question"], answer):
            shown.append(sources_message(saved["question"], answer, turn))
    return shown


def sources_message(question: str, answer: Answer, turn: int) -> dict[str, Any]:
    """The fold under an answer: its cited articles, and the rewritten question for a follow-up."""
    lines = [
        f"<a href='#src-{turn}-{c.n}' class='cite'>[{c.n}]</a> {escape_md(c.passage.title)}{_byline(c.passage)}"
        for c in answer.citations
    ]
    if _rewritten(question, answer):
        lines.append(f"*Searched for:* {escape_md(answer.standalone_question)}")
    return {
        "role": "assistant",
        "content": "\n\n".join(lines),
        "metadata": {"title": f"Sources ({len(answer.citations)})", "status": "done"},
    }


def _rewritten(question: str, answer: Answer) -> bool:
    return bool(answer.standalone_question) and answer.standalone_question.strip() != question.strip()


def _byline(passage: Passage) -> str:
    parts = [p for p in (passage.outlet, passage.author) if p]
    return f" — {escape_md(' · '.join(parts))}" if parts else ""


def sources_html(
    conversation: list[dict[str, Any]],
    *,
    chunk_counts: Mapping[str, int],
    link_hosts: Iterable[str] = (),
) -> str:
    """Every turn's passages, one section per turn; the latest is shown, a citation click shows its own."""
    if not conversation:
        return EMPTY_SOURCES
    hosts = frozenset(link_hosts)
    last = len(conversation) - 1
    sections = []
    for turn, saved in enumerate(conversation):
        answer = Answer.from_dict(saved["answer"])
        sections.append(
            f"<section class='turn' id='turn-{turn}' data-turn='{turn}'{'' if turn == last else ' hidden'}>"
            f"{_turn_html(saved['question'], answer, turn, chunk_counts, hosts)}</section>"
        )
    return "".join(sections)


def _turn_html(question: str, answer: Answer, turn: int, counts: Mapping[str, int], hosts: frozenset[str]) -> str:
    head = f"<div class='standalone'>Question {turn + 1}: {html.escape(question)}"
    if _rewritten(question, answer):
        head += f"<br>Searched for: {html.escape(answer.standalone_question)}"
    head += "</div>"
    if not answer.passages:
        return head + "<p class='src-head'>No passages were found for this question.</p>"
    cited = {c.n: supporting_sentence(c) for c in answer.citations}
    cards = [
        card(turn, n, p, cited.get(n), chunk_count=counts.get(p.source_id, 0), link_hosts=hosts)
        for n, p in enumerate(answer.passages, start=1)
    ]
    return head + "".join(cards)


def card(
    turn: int, n: int, passage: Passage, sentence: str | None, *, chunk_count: int = 0, link_hosts: frozenset[str]
) -> str:
    """One numbered passage: cited ones open with the sentence that verified the answer marked, the others
    folded (`sentence` None: not cited)."""
    meta = " · ".join(html.escape(x) for x in (passage.outlet, passage.author, passage.published_at[:10]) if x)
    part = f"part {passage.chunk_index + 1}" + (f" of {chunk_count}" if chunk_count else "")
    body = html.escape(passage.text)
    if sentence:
        body = _highlight(body, html.escape(sentence))
    link = safe_url(passage.url, link_hosts)
    title = html.escape(passage.title)
    if link:
        title = f"<a href='{html.escape(link, quote=True)}' rel='noopener noreferrer' target='_blank'>{title}</a>"
    head = (
        f"<span class='src-n'>[{n}]</span><b>{title}</b>"
        f"<span class='src-meta'>{' — ' + meta if meta else ''} · {part}</span>"
    )
    cited = sentence is not None
    return (
        f"<details class='src{' cited' if cited else ''}' id='src-{turn}-{n}'{' open' if cited else ''}>"
        f"<summary class='src-head'>{head}</summary><div class='src-text'>{body}</div></details>"
    )


def _highlight(body: str, sentence: str) -> str:
    """Mark the passage sentence that verified the cited answer sentence (across the passage's line breaks)."""
    pattern = r"\s+".join(map(re.escape, sentence.split()))
    return re.sub(pattern, lambda m: f"<mark>{m.group()}</mark>", body, count=1) if pattern else body


def supporting_sentence(citation: Citation) -> str:
    """The passage sentence that verified the cited answer sentence ('' when it is not in the passage, in
    any spacing: a sentence may run across a paragraph break)."""
    evidence = " ".join(citation.evidence.split())
    return evidence if evidence and evidence in " ".join(citation.passage.text.split()) else ""


def turn_of_message(conversation: list[dict[str, Any]], index: int) -> int | None:
    """Which saved turn the chat message at `index` (as laid out by `messages`) belongs to."""
    position = 0
    for turn, saved in enumerate(conversation):
        size = len(messages([saved]))
        if position <= index < position + size:
            return turn
        position += size
    return None


def safe_url(url: str, hosts: Iterable[str]) -> str:
    """`url` when it is http(s) to an allowlisted host (or a subdomain of one), else ''."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return ""
    return url.strip() if any(host == h or host.endswith("." + h) for h in hosts) else ""


def article_html(title: str, outlet: str, author: str, chunks: int, text: str) -> str:
    """One article's cleaned text as the Articles tab shows it."""
    meta = " · ".join(html.escape(x) for x in (outlet, author) if x)
    return (
        f"<h3>{html.escape(title)}</h3><p class='src-head'>{meta}{' · ' if meta else ''}{chunks} chunks</p>"
        f"<div class='src-text'>{html.escape(text)}</div>"
    )
