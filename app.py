"""The Gradio app: a chat with numbered sources, and named API endpoints. Formatting only.

`python app.py [--host H] [--port P]` assembles the embedded models if needed, ingests `seeds/` when
the store is empty, and serves on 127.0.0.1:7860. Every answer comes from `Assistant` as an `Answer`;
this module turns it into HTML/Markdown (escaping all article and model text) or JSON.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import sys
from collections.abc import Iterator
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home; must precede the import

import gradio as gr

from assistant import Answer, Assistant, AssistantError, Passage, Settings
from assistant.citations import split_sentences, word_support
from assistant.validate import clean_question
from ingest.index import ensure_seeded

TITLE = "News Q&A"
EXAMPLES = [
    "How many Sunni civilians did Reuters confirm were killed?",
    "Why did the US-led coalition pause training of Iraqi forces?",
    "What share of the Iranian-backed militias did Brett McGurk call a fundamental problem?",
    "Who wrote the letter suggesting US forces were pulling out of Iraq?",
]
CSS = """
#sources {max-height: 70vh; overflow-y: auto}
.src {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin-bottom: 8px}
.src.cited {border-color: var(--color-accent); box-shadow: 0 0 0 1px var(--color-accent)}
.src-head {font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px}
.src-n {font-weight: 700; color: var(--color-accent); margin-right: 4px}
.src-text {white-space: pre-line}
.src summary {cursor: pointer}
.src mark {background: var(--color-accent-soft); color: inherit; padding: 0 2px; border-radius: 3px}
.standalone {font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 8px}
"""
MAX_SAVED = 20  # conversation turns kept in the browser
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def build(assistant: Assistant) -> gr.Blocks:
    """The Blocks app around one Assistant."""
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(
            f"# {TITLE}\nAsk about the indexed news articles. Every claim is marked with `[n]` "
            "pointing at the numbered passage it comes from; if the articles don't say, the assistant says so."
        )
        saved = gr.BrowserState([], storage_key="news-qa-conversation")  # survives a page reload
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=520, elem_id="chat", buttons=["copy"], feedback_options=None)
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        scale=5,
                        elem_id="question",
                        max_lines=4,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                gr.Examples(EXAMPLES, inputs=box, label="Try")
                clear = gr.Button("Clear conversation", size="sm")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(_sources_html(None), elem_id="sources")

        def respond(question: str, conversation: list[dict[str, Any]]) -> Iterator[tuple]:
            try:
                question = clean_question(question, max_chars=assistant.max_question_chars)
            except AssistantError as error:
                raise gr.Error(str(error)) from None
            conversation = _valid(conversation)
            history = [[turn["question"], turn["answer"]["answer"]] for turn in conversation]
            shown = [*_messages(conversation), {"role": "user", "content": _escape_md(question)}]
            shown.append({"role": "assistant", "content": "…"})
            yield "", shown, _sources_html(None), gr.skip()
            text = ""
            try:
                for item in assistant.stream(question, history):
                    if isinstance(item, Answer):
                        conversation = [*conversation, {"question": question, "answer": item.to_dict()}][-MAX_SAVED:]
                        yield "", _messages(conversation), _sources_html(item), conversation
                    else:
                        text += item
                        shown[-1] = {"role": "assistant", "content": _escape_md(text)}
                        yield "", shown, gr.skip(), gr.skip()
            except AssistantError as error:
                shown[-1] = {"role": "assistant", "content": f"⚠️ {_escape_md(str(error))}"}
                yield question, shown, _sources_html(None), gr.skip()

        def restore(conversation: list[dict[str, Any]]) -> tuple:
            conversation = _valid(conversation)
            latest = Answer.from_dict(conversation[-1]["answer"]) if conversation else None
            return _messages(conversation), _sources_html(latest), conversation

        gr.on(
            [box.submit, send.click],
            respond,
            inputs=[box, saved],
            outputs=[box, chat, sources, saved],
            api_visibility="private",
            concurrency_id="llm",
            concurrency_limit=1,
        )
        demo.load(restore, inputs=saved, outputs=[chat, sources, saved], api_visibility="private")
        clear.click(lambda: ([], [], _sources_html(None)), outputs=[chat, saved, sources], api_visibility="private")
        _api(assistant)
    return demo


def _api(assistant: Assistant) -> None:
    """The named endpoints: /ask, /ask_stream, /retrieve."""

    def ask(question: str, history: list[list[str]] | None = None) -> dict[str, Any]:
        """Answer a question (history: earlier [question, answer] pairs); returns the Answer as JSON."""
        try:
            return assistant.ask(question, history or []).to_dict()
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    def ask_stream(question: str, history: list[list[str]] | None = None) -> Iterator[dict[str, Any]]:
        """Like /ask, but yields the Answer as it grows; the last update holds the checked citations."""
        text = ""
        try:
            for item in assistant.stream(question, history or []):
                if isinstance(item, Answer):
                    yield item.to_dict()
                else:
                    text += item
                    yield {"answer": text, "refused": False, "citations": [], "passages": [], "standalone_question": ""}
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    def retrieve(question: str, k: int = 10) -> list[dict[str, Any]]:
        """The k passages most related to the question, best first."""
        try:
            return [p.to_dict() for p in assistant.retrieve(question, k=max(1, min(int(k), 50)))]
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    gr.api(ask, api_name="ask", concurrency_id="llm", concurrency_limit=1)
    gr.api(ask_stream, api_name="ask_stream", concurrency_id="llm", concurrency_limit=1)
    gr.api(retrieve, api_name="retrieve", concurrency_limit=4)


def _valid(conversation: object) -> list[dict[str, Any]]:
    """The saved turns that have the shape we save (they come back from the browser); others are dropped."""
    if not isinstance(conversation, list):
        return []
    turns = []
    for turn in conversation[-MAX_SAVED:]:
        try:
            Answer.from_dict(turn["answer"])
            if isinstance(turn["question"], str) and isinstance(turn["answer"]["answer"], str):
                turns.append(turn)
        except (TypeError, KeyError, ValueError, IndexError, AttributeError):
            continue
    return turns


def _messages(conversation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages for saved turns: each answer keeps the sources (and numbering) it was given."""
    shown: list[dict[str, Any]] = []
    for turn in conversation:
        answer = Answer.from_dict(turn["answer"])
        shown.append({"role": "user", "content": _escape_md(turn["question"])})
        shown.append({"role": "assistant", "content": _answer_md(answer)})
        if answer.citations:
            shown.append(_sources_message(answer))
    return shown


def _escape_md(text: str) -> str:
    """Text shown literally: no Markdown or HTML from articles or the model is interpreted."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _answer_md(answer: Answer) -> str:
    text = _escape_md(answer.text)
    return re.sub(r"\\\[(\d+)\\\]", r"<sup>[\1]</sup>", text)


def _sources_message(answer: Answer) -> dict[str, Any]:
    lines = [f"**[{c.n}]** {_escape_md(c.passage.title)}{_byline(c.passage)}" for c in answer.citations]
    return {
        "role": "assistant",
        "content": "\n\n".join(lines),
        "metadata": {"title": f"Sources ({len(answer.citations)})", "status": "done"},
    }


def _byline(passage: Passage) -> str:
    parts = [p for p in (passage.outlet, passage.author) if p]
    return f" — {_escape_md(' · '.join(parts))}" if parts else ""


def _sources_html(answer: Answer | None) -> str:
    if answer is None or not answer.passages:
        return "<p class='src-head'>Passages behind the latest answer appear here, numbered like the [n] markers.</p>"
    cited = {c.n: c.sentence for c in answer.citations}
    head = ""
    if answer.standalone_question:
        head = f"<div class='standalone'>Searched for: {html.escape(answer.standalone_question)}</div>"
    cards = [_card(n, p, cited.get(n)) for n, p in enumerate(answer.passages, start=1)]
    return head + "".join(cards)


def _card(n: int, passage: Passage, sentence: str | None) -> str:
    """One numbered passage: cited ones open with the cited sentence marked, the others folded."""
    meta = " · ".join(html.escape(x) for x in (passage.outlet, passage.author) if x)
    body = html.escape(passage.text)
    if sentence:
        body = _highlight(body, html.escape(sentence))
    head = (
        f"<span class='src-n'>[{n}]</span><b>{html.escape(passage.title)}</b>"
        f"{' — ' + meta if meta else ''} · part {passage.chunk_index + 1}"
    )
    cited = sentence is not None
    return (
        f"<details class='src{' cited' if cited else ''}' id='src-{n}'{' open' if cited else ''}>"
        f"<summary class='src-head'>{head}</summary><div class='src-text'>{body}</div></details>"
    )


def _highlight(body: str, sentence: str) -> str:
    """Mark the passage sentence that shares the most words with the cited answer sentence."""
    best = max(split_sentences(body), key=lambda s: word_support(sentence, s), default="")
    return body.replace(best, f"<mark>{best}</mark>", 1) if best and word_support(sentence, best) > 0 else body


def _prepare(settings: Settings) -> Assistant:
    assistant = Assistant.from_settings(settings)
    report = ensure_seeded(assistant.store, assistant.retriever.embedder, settings)
    if report:
        print(f"The store was empty: ingested {settings.seeds_dir}: {report.summary()}.", file=sys.stderr)
    assistant.warm_up()  # the fixed prompt start is evaluated now, not during the first question
    return assistant


def main(argv: list[str] | None = None) -> int:
    """Start the app."""
    parser = argparse.ArgumentParser(description="Serve the news Q&A chat.")
    parser.add_argument("--host", help="interface to listen on (default: ASSISTANT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_PORT or 7860)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        assistant = _prepare(settings)
    except AssistantError as error:
        print(f"app: {error}", file=sys.stderr)
        return 2
    demo = build(assistant)
    demo.queue(default_concurrency_limit=1, max_size=32)
    demo.launch(
        server_name=args.host or settings.host,
        server_port=args.port or settings.port,
        css=CSS,
        theme=gr.themes.Soft(),
        footer_links=["api"],
        show_error=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
