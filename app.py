"""The Gradio app: chat with clickable citations, an Articles tab with upload, feedback, and named API
endpoints, mounted in a FastAPI app that also serves GET /healthz. Wiring only: formatting is in
`assistant/presentation/render.py`.

`python app.py [--host H] [--port P]` assembles the embedded models if needed, ingests `seeds/` when
the store is empty, and serves on 127.0.0.1:7860. Every answer comes from `Assistant` as an `Answer`.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home; must precede the import

import gradio as gr
import pandas as pd
from fastapi import FastAPI

from assistant import Answer, Assistant, AssistantError, Settings
from assistant.errors import InvalidQuestion
from assistant.generation import probe as llm_probe
from assistant.presentation import conversations, feedback
from assistant.presentation import render as present
from assistant.question.filters import Filters
from assistant.question.validate import clean_history, clean_question
from assistant.retrieval.catalog import Catalog
from ingest.index import IngestReport, ensure_seeded, ingest_settled
from ingest.load import JSON_SUFFIXES, TEXT_SUFFIXES
from ingest.recover import recover_store

TITLE = "News Q&A"
QUESTIONS = [  # about the seeds' news (tests/tools/browser_ttft.py times these)
    "How many Sunni civilians did Reuters confirm were killed?",
    "Why did the US-led coalition pause training of Iraqi forces?",
    "What share of the Iranian-backed militias did Brett McGurk call a fundamental problem?",
    "Who wrote the letter suggesting US forces were pulling out of Iraq?",
]
EXAMPLES = ["What is this collection about?", *QUESTIONS]
UPLOAD_TYPES = [*TEXT_SUFFIXES, *JSON_SUFFIXES]
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
.badge {display: inline-block; font-size: 0.75em; font-weight: 700; border-radius: 4px; padding: 1px 6px;
  margin-right: 6px; vertical-align: 1px}
.badge.verified {background: #dcfce7; color: #166534; border: 1px solid #86efac}
.badge.hedged {background: #fef9c3; color: #854d0e; border: 1px solid #fde047}
.badge.declined {background: #f3f4f6; color: #374151; border: 1px solid #d1d5db}
"""
# A click on a citation link [n] (href "#src-T-N") shows turn T's passages in the Sources panel,
# opens passage N and scrolls it into view. Capture phase: runs before the chat's own link handling.
# On a narrow screen the sidebar is closed once it appears.
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
// On a phone the sidebar (conversations, filters) would cover the chat: it starts closed there.
(() => {
  const started = Date.now();
  const timer = setInterval(() => {  // the width is read once the page is laid out
    const toggle = document.querySelector("#sidebar.open .toggle-button");
    if (toggle && window.innerWidth > 0 && window.innerWidth < 768) toggle.click();
    if (toggle || Date.now() - started > 15000) clearInterval(timer);
  }, 100);
})();
</script>"""


class Library:
    """The indexed articles: listed for the page and the API, added to by uploads (one writer at a time)."""

    def __init__(self, assistant: Assistant, settings: Settings) -> None:
        self.assistant = assistant
        self.settings = settings
        self._lock = threading.Lock()

    @property
    def catalog(self) -> Catalog:
        """The indexed articles (the engine's catalog, read again after an ingest it refreshed for)."""
        return self.assistant.catalog

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
            self.assistant.retriever.refresh()  # the catalog follows
        return report


def build(assistant: Assistant, settings: Settings, library: Library | None = None) -> gr.Blocks:
    """The Blocks app around one Assistant."""
    library = library or Library(assistant, settings)
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(
            f"# {TITLE}\nAsk about the indexed news articles. Each claim ends with a marker like **[1]**: "
            "click it to read the passage it comes from, with the supporting sentence highlighted."
        )
        # the reader's conversations, in this browser only; the key file keeps them readable after a restart
        saved = gr.BrowserState(conversations.EMPTY, storage_key="news-qa-conversations", secret=_secret(settings))
        side = _sidebar(library)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask-tab"):
                _chat_tab(demo, assistant, library, saved, side)
            with gr.Tab("Articles", id="articles-tab"):
                _articles_tab(library, side)
        _api(assistant, library)
    return demo


class _Side:
    """The sidebar's components: the conversation list and the filters."""

    def __init__(self, library: Library) -> None:
        self.new = gr.Button("+ New conversation", elem_id="new-conversation", size="sm")
        self.listing = gr.Radio([], label="Your conversations (this browser only)", elem_id="conversations")
        with gr.Row(elem_id="conversation-edit"):
            self.title = gr.Textbox(
                label="Title", elem_id="conversation-title", scale=3, max_lines=1, placeholder="Ask a question first"
            )
            self.rename = gr.Button("Rename", size="sm", scale=1, min_width=60, elem_id="rename-conversation")
        self.delete = gr.Button("Delete conversation", size="sm", variant="stop", elem_id="delete-conversation")
        gr.Markdown("### Filters\nAnswer only from these articles (leave empty for all).")
        outlets, authors = _names(library.catalog)
        self.outlets = gr.Dropdown(outlets, multiselect=True, label="Outlets", elem_id="filter-outlets")
        self.authors = gr.Dropdown(authors, multiselect=True, label="Authors", elem_id="filter-authors")
        self.after = gr.DateTime(
            include_time=False, type="string", label="Published on or after", elem_id="filter-after"
        )
        self.before = gr.DateTime(
            include_time=False, type="string", label="Published on or before", elem_id="filter-before"
        )
        self.clear = gr.Button("Clear filters", size="sm", elem_id="clear-filters")

    @property
    def filters(self) -> list[Any]:
        return [self.outlets, self.authors, self.after, self.before]


def _sidebar(library: Library) -> _Side:
    with gr.Sidebar(label="Conversations and filters", elem_id="sidebar", width=320):
        side = _Side(library)
    side.clear.click(lambda: ([], [], None, None), outputs=side.filters, api_visibility="private")
    return side


def _names(catalog: Catalog) -> tuple[list[str], list[str]]:
    """The outlets and authors of the indexed articles, for the filter menus."""
    outlets = sorted({a.outlet for a in catalog.articles if a.outlet}, key=str.casefold)
    authors = sorted({a.author for a in catalog.articles if a.author}, key=str.casefold)
    return outlets, authors


def _secret(settings: Settings) -> str:
    """The key the browser's saved conversations are encrypted with: ASSISTANT_BROWSER_KEY (the same on
    every replica), else one kept in the data dir, so they can be read after a restart (Gradio makes a
    new one per start otherwise)."""
    if settings.browser_key:
        return settings.browser_key
    path = settings.data_dir / "browser-state.key"
    try:
        key = path.read_text().strip()
        if len(key) >= 16:
            return key
    except OSError:
        pass
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(24)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _chat_tab(demo: gr.Blocks, assistant: Assistant, library: Library, saved: gr.BrowserState, side: _Side) -> None:
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
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### Sources")
            sources = gr.HTML(present.EMPTY_SOURCES, elem_id="sources")
    handlers = _Chat(assistant, library)
    shown = [chat, sources, saved, side.listing, side.title]
    slots = library.settings.generation_slots
    llm = {"concurrency_id": "llm", "concurrency_limit": slots, "api_visibility": "private"}
    private = {"api_visibility": "private"}
    ask_inputs = [box, saved, *side.filters]
    gr.on([box.submit, send.click], handlers.respond, inputs=ask_inputs, outputs=[box, *shown], **llm)  # type: ignore[arg-type]
    chat.retry(handlers.retry, inputs=[saved, *side.filters], outputs=[box, *shown], **llm)  # type: ignore[arg-type]
    chat.undo(handlers.undo, inputs=saved, outputs=[box, *shown], **private)  # type: ignore[arg-type]
    chat.like(handlers.rate, inputs=saved, **private)  # type: ignore[arg-type]
    gr.on([side.new.click, chat.clear], handlers.start, inputs=saved, outputs=shown, **private)  # type: ignore[arg-type]
    side.listing.input(handlers.open, inputs=[side.listing, saved], outputs=shown, **private)  # type: ignore[arg-type]
    gr.on([side.rename.click, side.title.submit], handlers.rename, inputs=[side.title, saved], outputs=shown, **private)  # type: ignore[arg-type]
    side.delete.click(handlers.delete, inputs=saved, outputs=shown, **private)  # type: ignore[arg-type]
    demo.load(handlers.restore, inputs=saved, outputs=[*shown, side.outlets, side.authors], **private)  # type: ignore[arg-type]


class _Chat:
    """The chat's event handlers; the conversations live in the browser (BrowserState) and are checked here."""

    def __init__(self, assistant: Assistant, library: Library) -> None:
        self.assistant = assistant
        self.library = library

    def show(self, state: conversations.State) -> tuple:
        """(chat, sources, saved, conversation list, title) for this state."""
        turns = conversations.current_turns(state)
        sources = present.sources_html(
            turns, chunk_counts=self.library.catalog.chunk_counts, link_hosts=self.library.settings.link_hosts
        )
        listing = gr.Radio(choices=conversations.choices(state), value=state["current"])
        return present.messages(turns), sources, state, listing, conversations.title_of(state)

    def respond(self, question: str, state: Any, *filters: Any) -> Iterator[tuple]:
        """Stream an answer: (textbox, chat, sources, saved, conversation list, title) updates."""
        state = conversations.normalise(state)
        yield from self._answer(question, state, conversations.current_turns(state), filters)

    def _answer(
        self, question: str, state: conversations.State, turns: list[dict[str, Any]], filters: Any
    ) -> Iterator[tuple]:
        try:
            question = clean_question(question, max_chars=self.assistant.settings.max_question_chars)
            chosen = Filters.parse(*filters)
        except AssistantError as error:
            raise gr.Error(str(error)) from None
        history = [[turn["question"], turn["answer"]["answer"]] for turn in turns]
        shown = [*present.messages(turns), {"role": "user", "content": present.escape_md(question)}]
        shown.append({"role": "assistant", "content": "…"})
        skip = (gr.skip(),) * 4
        yield "", shown, *skip
        text = ""
        try:
            for item in self.assistant.stream(question, history, filters=chosen):
                if isinstance(item, Answer):
                    turn = {"question": question, "answer": item.to_dict()}
                    yield "", *self.show(conversations.with_turns(state, [*turns, turn]))
                else:
                    text += item
                    shown[-1] = {"role": "assistant", "content": present.escape_md(text)}
                    yield "", shown, *skip
        except AssistantError as error:
            shown[-1] = {"role": "assistant", "content": f"⚠️ {present.escape_md(str(error))}"}
            yield question, shown, *skip

    def retry(self, state: Any, *filters: Any) -> Iterator[tuple]:
        """Ask the last question again, in place of its answer."""
        state = conversations.normalise(state)
        turns = conversations.current_turns(state)
        if turns:
            yield from self._answer(turns[-1]["question"], state, turns[:-1], filters)

    def undo(self, state: Any) -> tuple:
        """Drop the last turn and put its question back in the box."""
        state = conversations.normalise(state)
        turns = conversations.current_turns(state)
        question = turns[-1]["question"] if turns else ""
        return question, *self.show(conversations.with_turns(state, turns[:-1]) if turns else state)

    def rate(self, state: Any, data: gr.LikeData) -> None:
        """Store a thumbs up/down with the turn's question, history and answer."""
        turns = conversations.current_turns(conversations.normalise(state))
        turn = present.turn_of_message(turns, data.index if isinstance(data.index, int) else data.index[0])
        if turn is None:
            return
        feedback.record(
            self.library.settings.data_dir,
            liked=bool(data.liked),
            question=turns[turn]["question"],
            history=[[t["question"], t["answer"]["answer"]] for t in turns[:turn]],
            answer=Answer.from_dict(turns[turn]["answer"]),
        )
        gr.Info("Thanks: your rating was saved.")

    def start(self, state: Any) -> tuple:
        """A new conversation; the one that was open stays in the list."""
        return self.show(conversations.started(conversations.normalise(state)))

    def open(self, conversation_id: str, state: Any) -> tuple:
        """Show an earlier conversation, with its sources."""
        return self.show(conversations.opened(conversations.normalise(state), conversation_id))

    def rename(self, title: str, state: Any) -> tuple:
        """Give the open conversation a new title."""
        return self.show(conversations.renamed(conversations.normalise(state), title))

    def delete(self, state: Any) -> tuple:
        """Delete the open conversation from this browser."""
        return self.show(conversations.deleted(conversations.normalise(state)))

    def restore(self, state: Any) -> tuple:
        """The saved conversations after a page load (the one open before is open again), and the filter
        menus filled from the current catalog."""
        outlets, authors = _names(self.library.catalog)
        return *self.show(conversations.normalise(state)), gr.Dropdown(choices=outlets), gr.Dropdown(choices=authors)


def _articles_tab(library: Library, side: _Side) -> None:
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
        outlets, authors = _names(library.catalog)
        menus = gr.Dropdown(choices=outlets), gr.Dropdown(choices=authors)
        return present.escape_md(message), _rows(library.catalog), None, *menus

    table.select(read, outputs=text, api_visibility="private")
    outputs = [status, table, files, side.outlets, side.authors]
    add.click(upload, inputs=files, outputs=outputs, api_visibility="private", concurrency_id="ingest")


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


F = TypeVar("F", bound=Callable[..., Any])
_FILTER_PARAMETERS = """
    outlets: only articles of these outlets (as /articles lists them; any case)
    authors: only articles by these authors
    published_after: only articles published on or after this day (YYYY-MM-DD)
    published_before: only articles published on or before this day (YYYY-MM-DD)"""
_QUESTION_PARAMETERS = """
    question: the question, up to ASSISTANT_MAX_QUESTION_CHARS characters
    history: earlier turns as [question, answer] pairs, oldest first (the last 6 are used)"""


def _documented(summary: str, parameters: str) -> Callable[[F], F]:
    """Give an endpoint the docstring Gradio shows on its API page: `summary`, then its parameters."""

    def document(fn: F) -> F:
        fn.__doc__ = f"{summary}\n\nParameters:{parameters}{_FILTER_PARAMETERS}\n"
        return fn

    return document


def _api(assistant: Assistant, library: Library) -> None:
    """The named endpoints: /ask, /ask_stream, /retrieve, /articles."""

    @_documented("Answer a question about the articles; returns the Answer as JSON.", _QUESTION_PARAMETERS)
    def ask(
        question: str,
        history: list[list[str]] | None = None,
        outlets: list[str] | None = None,
        authors: list[str] | None = None,
        published_after: str | None = None,
        published_before: str | None = None,
    ) -> dict[str, Any]:
        *_, answer = ask_stream(question, history, outlets, authors, published_after, published_before)
        return answer  # the last update is the checked Answer

    @_documented(
        "Like /ask, but yields the Answer as it grows; the last update holds the checked citations.",
        _QUESTION_PARAMETERS,
    )
    def ask_stream(
        question: str,
        history: list[list[str]] | None = None,
        outlets: list[str] | None = None,
        authors: list[str] | None = None,
        published_after: str | None = None,
        published_before: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        text = ""
        try:
            cleaned = clean_question(question, max_chars=assistant.settings.max_question_chars)
            filters = Filters.parse(outlets, authors, published_after, published_before)
            for item in assistant.stream(cleaned, clean_history(history), filters=filters):
                if isinstance(item, Answer):
                    yield item.to_dict()
                else:
                    text += item
                    yield Answer(text).to_dict()  # the same keys as the last update, with the text so far
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    @_documented(
        "The passages most related to the question, best first.",
        "\n    question: what to search for\n    k: how many passages, 1 to 50",
    )
    def retrieve(
        question: str,
        k: int = 10,
        outlets: list[str] | None = None,
        authors: list[str] | None = None,
        published_after: str | None = None,
        published_before: str | None = None,
    ) -> list[dict[str, Any]]:
        try:
            if isinstance(k, bool) or not isinstance(k, (int, float)) or not 1 <= k <= MAX_K or k != int(k):
                raise InvalidQuestion(f"k must be a whole number from 1 to {MAX_K}.")
            filters = Filters.parse(outlets, authors, published_after, published_before)
            return [p.to_dict() for p in assistant.retrieve(question, k=int(k), filters=filters)]
        except AssistantError as error:
            raise gr.Error(str(error)) from None

    def articles() -> list[dict[str, Any]]:
        """Every indexed article: source_id, title, outlet, author, published_at, chunks."""
        return [a.to_dict() for a in library.catalog.articles]

    slots = library.settings.generation_slots  # answers generated at once (ASSISTANT_LLM_CONCURRENCY)
    gr.api(ask, api_name="ask", concurrency_id="llm", concurrency_limit=slots)
    gr.api(ask_stream, api_name="ask_stream", concurrency_id="llm", concurrency_limit=slots)
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
    recover_store(settings)  # before this process opens a store whose damaged index could crash it
    assistant = Assistant.from_settings(settings)
    report = ensure_seeded(assistant.store, assistant.retriever.embedder, settings)
    if report:
        assistant.retriever.refresh()  # the seeds' outlets and BM25 index, before the first question
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
