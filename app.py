"""The Gradio app: chat with clickable citations, an Articles tab with upload, feedback, and named API
endpoints, mounted in a FastAPI app that also serves GET /healthz. Wiring only: formatting is in
`assistant/present.py`.

`python app.py [--host H] [--port P]` assembles the embedded models if needed, ingests `seeds/` when
the store is empty, and serves on 127.0.0.1:7860. Every answer comes from `Assistant` as an `Answer`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home; must precede the import

import gradio as gr
import pandas as pd
from fastapi import FastAPI

from assistant import Answer, Assistant, AssistantError, Settings, feedback, llm_probe, present
from assistant.catalog import Catalog
from assistant.errors import InvalidQuestion
from assistant.validate import clean_history, clean_question
from ingest.index import IngestReport, ensure_seeded, ingest_settled
from ingest.load import JSON_SUFFIXES, TEXT_SUFFIXES

TITLE = "News Q&A"
EXAMPLES = [
    "How many Sunni civilians did Reuters confirm were killed?",
    "Why did the US-led coalition pause training of Iraqi forces?",
    "What share of the Iranian-backed militias did Brett McGurk call a fundamental problem?",
    "Who wrote the letter suggesting US forces were pulling out of Iraq?",
]
UPLOAD_TYPES = [*TEXT_SUFFIXES, *JSON_SUFFIXES]
MAX_SAVED = 20  # conversation turns kept in the browser
MAX_K = 50
LIKES = ("Like", "Dislike")
PROGRESS = gr.Progress(track_tqdm=True)  # the ingest's tqdm bar, shown on the page
CSS = """
#sources {max-height: 75vh; overflow-y: auto}
.src {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin-bottom: 8px}
.src.cited {border-color: var(--color-accent)}
.src.focus {box-shadow: 0 0 0 3px var(--color-accent); }
.src-head {font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 4px}
.src-n {font-weight: 700; color: var(--color-accent); margin-right: 4px}
.src-meta {margin-left: 2px}
.src-text {white-space: pre-line; line-height: 1.5}
.src summary {cursor: pointer}
.src mark {background: var(--color-accent-soft); color: inherit; padding: 0 2px; border-radius: 3px;
  outline: 1px solid var(--color-accent)}
.standalone {font-size: 0.85em; color: var(--body-text-color-subdued); margin-bottom: 8px}
#chat a.cite, #sources a.cite {font-size: 0.75em; vertical-align: super; line-height: 0; font-weight: 700;
  text-decoration: none; color: var(--color-accent); padding: 0 1px; cursor: pointer}
#chat a.cite:hover {text-decoration: underline}
#article-text .src-text {max-height: 60vh; overflow-y: auto}
"""
# A click on a citation link [n] (href "#src-T-N") shows turn T's passages in the Sources panel,
# opens passage N and scrolls it into view. Capture phase: runs before the chat's own link handling.
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[href^='#src-']") : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const [turn, n] = link.getAttribute("href").slice("#src-".length).split("-");
  document.querySelectorAll("#sources section.turn").forEach((s) => { s.hidden = s.id !== `turn-${turn}`; });
  const card = document.getElementById(`src-${turn}-${n}`);
  if (!card) return;
  document.querySelectorAll("#sources .src.focus").forEach((c) => c.classList.remove("focus"));
  card.open = true;
  card.classList.add("focus");
  card.scrollIntoView({ behavior: "smooth", block: "center" });
}, true);
</script>"""


class Library:
    """The indexed articles: listed for the page and the API, added to by uploads (one writer at a time)."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self.catalog = Catalog.load(assistant.store)
        self._lock = threading.Lock()

    def ingest(self, paths: list[Path]) -> IngestReport:
        """Keep copies of the files in the data dir (a rebuild after a crash re-reads them), ingest them,
        then make them searchable at once (BM25 reloaded, catalog re-read)."""
        kept = self.settings.data_dir / "uploads"
        kept.mkdir(parents=True, exist_ok=True)
        with self._lock:
            copies = [Path(shutil.copyfile(path, kept / path.name)) for path in paths]
            report = ingest_settled(
                copies, settings=self.settings, store=self.assistant.store, embedder=self.assistant.retriever.embedder
            )
            self.assistant.retriever.refresh()
            self.catalog = Catalog.load(self.assistant.store)
        return report


def build(assistant: Assistant, settings: Settings, library: Library | None = None) -> gr.Blocks:
    """The Blocks app around one Assistant."""
    library = library or Library(assistant, settings)
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(
            f"# {TITLE}\nAsk about the indexed news articles. Each claim ends with a marker like **[1]**: "
            "click it to read the passage it comes from, with the supporting sentence highlighted."
        )
        saved = gr.BrowserState([], storage_key="news-qa-conversation")  # survives a page reload
        with gr.Tabs():
            with gr.Tab("Ask", id="ask-tab"):
                _chat_tab(demo, assistant, library, saved)
            with gr.Tab("Articles", id="articles-tab"):
                _articles_tab(library)
        _api(assistant, library)
    return demo


def _chat_tab(demo: gr.Blocks, assistant: Assistant, library: Library, saved: gr.BrowserState) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chat = gr.Chatbot(
                label="Chat", height=520, elem_id="chat", buttons=["copy", "copy_all"], feedback_options=LIKES
            )
            with gr.Row():
                box = gr.Textbox(
                    placeholder="Ask a question about the articles…", show_label=False, scale=5, elem_id="question"
                )
                send = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="ask")
            gr.Examples(EXAMPLES, inputs=box, label="Try")
            clear = gr.Button("Clear conversation", size="sm", elem_id="clear")
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### Sources")
            sources = gr.HTML(present.EMPTY_SOURCES, elem_id="sources")
    handlers = _Chat(assistant, library)
    outputs = [box, chat, sources, saved]
    llm = {"concurrency_id": "llm", "concurrency_limit": 1, "api_visibility": "private"}
    gr.on([box.submit, send.click], handlers.respond, inputs=[box, saved], outputs=outputs, **llm)  # type: ignore[arg-type]
    chat.retry(handlers.retry, inputs=saved, outputs=outputs, **llm)  # type: ignore[arg-type]
    chat.undo(handlers.undo, inputs=saved, outputs=outputs, api_visibility="private")
    chat.like(handlers.rate, inputs=saved, api_visibility="private")
    empty: tuple[str, list[Any], list[Any]] = (present.EMPTY_SOURCES, [], [])
    gr.on([clear.click, chat.clear], lambda: empty, outputs=[sources, chat, saved], api_visibility="private")
    demo.load(handlers.restore, inputs=saved, outputs=[chat, sources, saved], api_visibility="private")


class _Chat:
    """The chat's event handlers; the conversation lives in the browser (BrowserState) and is checked here."""

    def __init__(self, assistant: Assistant, library: Library) -> None:
        self.assistant = assistant
        self.library = library

    def show(self, conversation: list[dict[str, Any]]) -> str:
        """The Sources panel for these turns."""
        return present.sources_html(
            conversation, chunk_counts=self.library.catalog.chunk_counts, link_hosts=self.library.settings.link_hosts
        )

    def respond(self, question: str, conversation: list[dict[str, Any]]) -> Iterator[tuple]:
        """Stream an answer: (textbox, chat messages, sources panel, saved conversation) updates."""
        try:
            question = clean_question(question, max_chars=self.assistant.max_question_chars)
        except AssistantError as error:
            raise gr.Error(str(error)) from None
        conversation = _valid(conversation)
        history = [[turn["question"], turn["answer"]["answer"]] for turn in conversation]
        shown = [*present.messages(conversation), {"role": "user", "content": present.escape_md(question)}]
        shown.append({"role": "assistant", "content": "…"})
        yield "", shown, gr.skip(), gr.skip()
        text = ""
        try:
            for item in self.assistant.stream(question, history):
                if isinstance(item, Answer):
                    conversation = [*conversation, {"question": question, "answer": item.to_dict()}][-MAX_SAVED:]
                    yield "", present.messages(conversation), self.show(conversation), conversation
                else:
                    text += item
                    shown[-1] = {"role": "assistant", "content": present.escape_md(text)}
                    yield "", shown, gr.skip(), gr.skip()
        except AssistantError as error:
            shown[-1] = {"role": "assistant", "content": f"⚠️ {present.escape_md(str(error))}"}
            yield question, shown, gr.skip(), gr.skip()

    def retry(self, conversation: list[dict[str, Any]]) -> Iterator[tuple]:
        """Ask the last question again, in place of its answer."""
        conversation = _valid(conversation)
        if conversation:
            yield from self.respond(conversation[-1]["question"], conversation[:-1])

    def undo(self, conversation: list[dict[str, Any]]) -> tuple:
        """Drop the last turn and put its question back in the box."""
        conversation = _valid(conversation)
        question = conversation[-1]["question"] if conversation else ""
        return question, present.messages(conversation[:-1]), self.show(conversation[:-1]), conversation[:-1]

    def rate(self, conversation: list[dict[str, Any]], data: gr.LikeData) -> None:
        """Store a thumbs up/down with the turn's question, history and answer."""
        conversation = _valid(conversation)
        turn = present.turn_of_message(conversation, data.index if isinstance(data.index, int) else data.index[0])
        if turn is None:
            return
        feedback.record(
            self.library.settings.data_dir,
            liked=bool(data.liked),
            question=conversation[turn]["question"],
            history=[[t["question"], t["answer"]["answer"]] for t in conversation[:turn]],
            answer=Answer.from_dict(conversation[turn]["answer"]),
        )
        gr.Info("Thanks: your rating was saved.")

    def restore(self, conversation: list[dict[str, Any]]) -> tuple:
        """The saved conversation, shown again after a page load."""
        conversation = _valid(conversation)
        return present.messages(conversation), self.show(conversation), conversation


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


def _articles_tab(library: Library) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            table = gr.Dataframe(
                _rows(library.catalog),
                interactive=False,
                column_widths=["50%", "20%", "20%", "10%"],
                elem_id="articles",
                label="Indexed articles (select one to read it)",
                wrap=True,
            )
            text = gr.HTML("", elem_id="article-text")
        with gr.Column(scale=2, min_width=300):
            files = gr.File(
                label=f"Add articles: {', '.join(UPLOAD_TYPES)} (up to {library.settings.max_upload_mb} MB each)",
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                elem_id="upload",
            )
            add = gr.Button("Add to the index", variant="primary", elem_id="add")
            status = gr.Markdown("", elem_id="upload-status")

    def read(event: gr.SelectData) -> str:
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        if not isinstance(row, int) or not 0 <= row < len(library.catalog.articles):
            return ""
        a = library.catalog.articles[row]
        return present.article_html(a.title, a.outlet, a.author, a.chunks, a.text)

    def upload(paths: list[str] | None, progress: gr.Progress = PROGRESS) -> tuple:
        progress(0, desc="Checking the files")
        try:
            report = library.ingest(_checked_uploads(paths, library.settings.max_upload_mb))
        except AssistantError as error:
            raise gr.Error(str(error)) from None
        if not report.articles:
            raise gr.Error("No article could be read: " + "; ".join(_problem(p) for p in report.problems))
        message = f"Added: {report.summary()}. You can ask about them now."
        if report.problems:
            message += "\n\nSkipped: " + "; ".join(_problem(p) for p in report.problems)
        return present.escape_md(message), _rows(library.catalog), None

    table.select(read, outputs=text, api_visibility="private")
    add.click(upload, inputs=files, outputs=[status, table, files], api_visibility="private", concurrency_id="llm")


def _rows(catalog: Catalog) -> pd.DataFrame:
    rows = [[a.title, a.outlet, a.author, a.chunks] for a in catalog.articles]
    return pd.DataFrame(rows, columns=["Title", "Outlet", "Author", "Chunks"])


def _problem(problem: Any) -> str:
    """A load problem naming the uploaded file, not the server's temporary path."""
    return f"{Path(str(problem.where).split(':')[0]).name}{_line(str(problem.where))}: {problem.message}"


def _line(where: str) -> str:
    return f" line {where.rsplit(':', 1)[1]}" if ":" in where and where.rsplit(":", 1)[1].isdigit() else ""


def _checked_uploads(paths: list[str] | None, max_mb: int) -> list[Path]:
    """The uploaded files, or InvalidQuestion naming the first of the wrong type or size."""
    if not paths:
        raise InvalidQuestion("Choose one or more .txt, .md, .json or .jsonl files first.")
    checked = []
    for raw in paths:
        path = Path(raw)
        if path.suffix.lower() not in UPLOAD_TYPES:
            raise InvalidQuestion(f"{path.name}: only {', '.join(UPLOAD_TYPES)} files can be added.")
        if path.stat().st_size > max_mb * 1024 * 1024:
            raise InvalidQuestion(f"{path.name} is larger than the {max_mb} MB limit.")
        checked.append(path)
    return checked


def _api(assistant: Assistant, library: Library) -> None:
    """The named endpoints: /ask, /ask_stream, /retrieve, /articles."""

    def ask(question: str, history: list[list[str]] | None = None) -> dict[str, Any]:
        """Answer a question about the articles; returns the Answer as JSON.

        Parameters:
            question: the question, up to ASSISTANT_MAX_QUESTION_CHARS characters
            history: earlier turns as [question, answer] pairs, oldest first (the last 6 are used)
        """
        *_, answer = ask_stream(question, history)  # the last update is the checked Answer
        return answer

    def ask_stream(question: str, history: list[list[str]] | None = None) -> Iterator[dict[str, Any]]:
        """Like /ask, but yields the Answer as it grows; the last update holds the checked citations.

        Parameters:
            question: the question, up to ASSISTANT_MAX_QUESTION_CHARS characters
            history: earlier turns as [question, answer] pairs, oldest first (the last 6 are used)
        """
        text = ""
        try:
            cleaned = clean_question(question, max_chars=assistant.max_question_chars)
            for item in assistant.stream(cleaned, clean_history(history)):
                if isinstance(item, Answer):
                    yield item.to_dict()
                else:
                    text += item
                    yield Answer(text).to_dict()  # the same keys as the last update, with the text so far
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    def retrieve(question: str, k: int = 10) -> list[dict[str, Any]]:
        """The passages most related to the question, best first.

        Parameters:
            question: what to search for
            k: how many passages, 1 to 50
        """
        try:
            if isinstance(k, bool) or not isinstance(k, (int, float)) or not 1 <= k <= MAX_K or k != int(k):
                raise InvalidQuestion(f"k must be a whole number from 1 to {MAX_K}.")
            return [p.to_dict() for p in assistant.retrieve(question, k=int(k))]
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    def articles() -> list[dict[str, Any]]:
        """Every indexed article: source_id, title, outlet, author, published_at, chunks."""
        return [a.to_dict() for a in library.catalog.articles]

    gr.api(ask, api_name="ask", concurrency_id="llm", concurrency_limit=1)
    gr.api(ask_stream, api_name="ask_stream", concurrency_id="llm", concurrency_limit=1)
    gr.api(retrieve, api_name="retrieve", concurrency_limit=4)
    gr.api(articles, api_name="articles", concurrency_limit=4)


def create_app(assistant: Assistant, settings: Settings) -> FastAPI:
    """The FastAPI app: GET /healthz, and the Gradio page and API at /."""
    library = Library(assistant, settings)
    demo = build(assistant, settings, library)
    demo.queue(default_concurrency_limit=1, max_size=settings.queue_size)
    app = FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        """For load balancers: up, and how much is indexed."""
        return {"status": "ok", "articles": len(library.catalog.articles), "chunks": library.catalog.chunk_total}

    return gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=settings.auth,
        show_error=False,
        max_file_size=f"{settings.max_upload_mb}mb",
        footer_links=["api"],
        mcp_server=settings.mcp,
        theme=gr.themes.Soft(),
        css=CSS,
        head=HEAD,
        allowed_paths=[],
        app_kwargs={"docs_url": None, "redoc_url": None, "openapi_url": None},
    )


def _prepare(settings: Settings) -> Assistant:
    llm_probe.check(settings)  # a model that crashes this CPU is found in a child, not by dying here
    assistant = Assistant.from_settings(settings)
    report = ensure_seeded(assistant.store, assistant.retriever.embedder, settings)
    if report:
        print(f"The store was empty: ingested {settings.seeds_dir}: {report.summary()}.", file=sys.stderr)
    if settings.llm == "local":  # the fixed prompt start is read now, not during the first question
        assistant.warm_up()  # (a server, which may be down or paid for, is not called at start-up)
    return assistant


def main(argv: list[str] | None = None) -> int:
    """Start the app."""
    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the news Q&A chat.")
    parser.add_argument("--host", help="interface to listen on (default: ASSISTANT_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default: ASSISTANT_PORT or 7860)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        host, port = args.host or settings.host, args.port or settings.port
        listening = _listen(host, port)  # before loading anything: a busy port fails in a moment, not after
        with listening:
            app = create_app(_prepare(settings), settings)
            print(f"Serving on http://{host}:{port}/", file=sys.stderr)
            uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[listening])
    except AssistantError as error:
        print(f"app: {error}", file=sys.stderr)
        return 2
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or an AssistantError saying why not and what to do."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        listening = socket.socket(family, kind, proto)
    except OSError as error:
        raise AssistantError(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from error
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError as error:
        listening.close()
        raise AssistantError(
            f"Cannot listen on {host}:{port}: {error.strerror or error} (is the app already running?)."
            " Set ASSISTANT_PORT or pass --port to use another port."
        ) from error
    return listening


if __name__ == "__main__":
    sys.exit(main())
