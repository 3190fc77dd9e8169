"""The engine: question -> retrieval -> generation -> grounding, as `Assistant.ask` / `Assistant.stream`.

One path serves both: `ask` consumes `stream`. Answers are grounded only in the retrieved passages,
their `[n]` markers are checked against those passages, and a question the passages cannot answer is
declined with `refused=True`. The engine holds no per-user state; history is passed in each call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from assistant.config import Settings
from assistant.generation import overview, verdict
from assistant.generation.byline import byline_answer
from assistant.generation.excerpts import Excerpt, by_article, cosine_rows, passage_sentences, select
from assistant.generation.llm import LLM, Message, llm_from_settings
from assistant.generation.prompts import Prompts
from assistant.grounding import decision
from assistant.grounding.answerable import answer_part, decline_text, looks_like_refusal, missing_names
from assistant.grounding.citations import CheckedSentence, check_citations, render, strip_markers
from assistant.grounding.verify import Evidence, ModelVerifier, Verifier
from assistant.question import collection
from assistant.question.condense import condense
from assistant.question.filters import NO_FILTERS, Filters
from assistant.question.kind import asks_about_several, asks_yes_or_no
from assistant.question.mentions import Mention
from assistant.question.validate import clean_history, clean_question
from assistant.retrieval.catalog import ArticleInfo, Catalog
from assistant.retrieval.retrieve import Retriever, build_retriever
from assistant.retrieval.store import Store
from assistant.text import split_sentences
from assistant.timing import stage
from assistant.types import Answer, Citation, Decline, Passage

KEEP_PASSAGES = 2  # always read, however they score
LEAD_WORDS = 8  # an article's lead sentence has at least this many words
SUMMARY_WORDS = 220  # what a summary reads (two whole chunks of a seed: 5.2 s to the first word)
SUMMARY_QUESTION = "What does this article report? Give its main points."
CITED_SENTENCES = 2  # an answer sentence is judged against this many of its cited passages' sentences first


class Assistant:
    """Answers questions about the indexed articles, with checked `[n]` citations."""

    def __init__(
        self,
        retriever: Retriever,
        llm: LLM,
        prompts: Prompts,
        *,
        settings: Settings | None = None,
        verifier: Verifier | None = None,
    ) -> None:
        self.retriever = retriever
        self.llm = llm
        self.prompts = prompts
        self.settings = settings or Settings()  # its knobs: top_k, min_score, the floors, word and token budgets
        self.verifier = verifier or ModelVerifier(
            llm,
            prompts,
            support=self.settings.verify_support,
            contradict=self.settings.verify_contradict,
            doubt=self.settings.verify_doubt,
            attribute=self.settings.verify_attribute,
        )
        self._catalog: tuple[int, Catalog] | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, retriever: Retriever | None = None, llm: LLM | None = None
    ) -> Assistant:
        """The real thing: local embedder, the configured store and LLM, prompts from files
        (pass `retriever` or `llm` to share ones already loaded)."""
        settings = settings or Settings.from_env()
        return cls(
            retriever or build_retriever(settings),
            llm or llm_from_settings(settings),
            Prompts.load(settings.prompts_dir),
            settings=settings,
        )

    @property
    def catalog(self) -> Catalog:
        """The indexed articles, read again after the retriever refreshed (an ingest)."""
        self.retriever.reload_if_changed()
        if self._catalog is None or self._catalog[0] != self.retriever.version:
            version = self.retriever.version
            self._catalog = (version, Catalog.load(self.retriever.store))
        return self._catalog[1]

    @property
    def store(self) -> Store:
        """The store behind the retriever (the app ingests into it)."""
        return self.retriever.store

    def retrieve(self, question: str, k: int = 10, *, filters: Filters = NO_FILTERS) -> list[Passage]:
        """The `k` best passages for `question` inside `filters`, best first."""
        text = clean_question(question, max_chars=self.settings.max_question_chars)
        return self.retriever.retrieve(text, k, filters=filters)

    def ask(self, question: str, history: Sequence[Sequence[str]] = (), *, filters: Filters = NO_FILTERS) -> Answer:
        """Answer `question`, given earlier [user, assistant] turns, from the articles inside `filters`."""
        for item in self.stream(question, history, filters=filters):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream() always ends with an Answer")

    def stream(
        self, question: str, history: Sequence[Sequence[str]] = (), *, filters: Filters = NO_FILTERS
    ) -> Iterator[str | Answer]:
        """Yield the answer's text as it is generated, then the checked `Answer`, reading only the articles
        inside `filters` (an unknown outlet or author in them raises InvalidQuestion).

        The Answer's `timings` hold each stage in seconds (condense, embed_query, dense, lexical,
        fusion, fetch, prompt_build, prompt_eval, generation, check) plus first_token_s and total_s.
        """
        started = time.perf_counter()
        timings: dict[str, float] = {}
        text = clean_question(question, max_chars=self.settings.max_question_chars)
        turns = clean_history(history)
        with stage(timings, "condense"):
            standalone = condense(text, turns, llm=self.llm, prompts=self.prompts)
        mentions = self.retriever.mentions(standalone)
        request = collection.classify(standalone, [(m.start, m.end) for m in mentions])
        if request is not None:  # about the collection itself: answered from the catalog
            yield from self._about_collection(request, standalone, mentions, filters, timings, started)
            return
        passages = self.retriever.retrieve(standalone, self.settings.top_k, filters=filters, timings=timings)
        missing = missing_names(standalone, passages, known=self.retriever.knows)
        fired = decision.before_model(passages, min_score=self.settings.min_score, missing=missing, filters=filters)
        if fired:
            timings["total_s"] = time.perf_counter() - started
            yield _declined(passages, standalone, timings, fired, missing)
            return
        # about several articles: reads each one, and is exempt from the byline answer
        several = asks_about_several(standalone, outlets_named=len(mentions))
        byline = None if several else byline_answer(standalone, passages)
        if byline is not None:  # who wrote or published a named article: its byline answers, not the model
            answer = _from_byline(*byline, standalone, timings, started)
            yield answer.text
            yield answer
            return
        if asks_yes_or_no(standalone) or verdict.asks_who_reported(standalone):  # the verifier settles it
            answer = self._verdict(standalone, passages, filters, timings, started)
            yield answer.text
            yield answer
            return
        with stage(timings, "prompt_build"):
            worth = _worth_reading(passages, self.settings.passage_floor)
            articles = by_article(self._excerpts(standalone, worth, several=several))
            read = [e for group in articles for e in group]
            passages = [e.passage for e in read]  # the reader is shown what the model reads
            messages = self._messages(standalone, articles)
        pieces: list[str] = []
        asked = time.perf_counter()
        for piece in self.llm.stream(messages, max_tokens=self.settings.max_answer_tokens):
            if not pieces:
                timings["prompt_eval_s"] = time.perf_counter() - asked
                timings["first_token_s"] = time.perf_counter() - started
            pieces.append(piece)
            yield piece
        timings["generation_s"] = time.perf_counter() - asked - timings.get("prompt_eval_s", 0.0)
        answer = self._finish("".join(pieces), passages, standalone, timings, started)
        yield replace(answer, excerpts=[e.text for e in read])

    def _about_collection(
        self,
        request: collection.Request,
        question: str,
        mentions: list[Mention],
        filters: Filters,
        timings: dict[str, float],
        started: float,
    ) -> Iterator[str | Answer]:
        """Answer a question about the collection from the catalog (inside `filters`); a summary is
        written by the model from the article's first passages and checked like any answer."""
        if filters.active:
            filters = filters.resolve(*self.retriever.names())
        articles = [a for a in self.catalog.articles if filters.admits(a.meta)]
        if filters.active and not articles:  # declined as any question outside its filters is
            timings["total_s"] = time.perf_counter() - started
            yield _declined(
                [], question, timings, decision.before_model([], min_score=1.0, missing=(), filters=filters)
            )
            return
        scope = f"{filters.describe()}" if filters.active else ""
        named = sorted({o for m in mentions for o in m.outlets})
        if named:
            articles = [a for a in articles if a.outlet in named]
        if request.kind == "summary":
            article = self._to_summarise(request.topic, articles, filters)
            if article is not None:
                yield from self._summary(article, question, timings, started)
                return
            written = overview.Written()
            written.add("No indexed article matches that" + (f" {scope}." if scope else "."))
        elif request.kind == "outlet":
            written = overview.outlet_report(articles, named, self._lead)
        elif request.kind == "articles":
            written = overview.listing(articles, scope)
        elif request.kind in ("outlets", "authors"):
            written = overview.names(articles, request.kind, scope)
        elif request.kind == "count":
            written = overview.count(articles, request.part, scope)
        elif request.kind == "latest":
            written = overview.latest(articles, self._lead, scope)
        else:
            written = overview.overview(articles, self._lead, scope)
        timings["first_token_s"] = timings["total_s"] = time.perf_counter() - started
        answer = _written(written, question, timings)
        yield answer.text
        yield answer

    def _to_summarise(self, topic: str, articles: list[ArticleInfo], filters: Filters) -> ArticleInfo | None:
        """The article a summary request means: the one of `articles` whose passages best match its
        topic, or the latest of them when it gives none."""
        if not articles:
            return None
        if not topic.strip():
            return max(articles, key=lambda a: (a.published_at[:19], a.title))
        allowed = {a.source_id for a in articles}
        for passage in self.retriever.retrieve(topic, self.settings.top_k, filters=filters):
            if passage.source_id in allowed and passage.similarity >= self.settings.min_score:
                return next(a for a in articles if a.source_id == passage.source_id)
        return None

    def _summary(
        self, article: ArticleInfo, question: str, timings: dict[str, float], started: float
    ) -> Iterator[str | Answer]:
        """The model's summary of the article's first passages, citations checked; its lead sentence
        when the model gives nothing the passages support."""
        passages = list(article.leads)
        sentences = passage_sentences(passages)  # instructions inside the article are cut out
        excerpts, budget = [], SUMMARY_WORDS  # the opening of the article, as much as a quick answer affords
        for n, (passage, row) in enumerate(zip(passages, sentences, strict=True), 1):
            kept = []
            for sentence in row:
                if budget <= 0:
                    break
                kept.append(sentence)
                budget -= len(sentence.split())
            if kept:
                excerpts.append(Excerpt(n, passage, " ".join(kept)))
        passages = [e.passage for e in excerpts]
        messages = self._messages(SUMMARY_QUESTION, [excerpts])
        pieces: list[str] = []
        for piece in self.llm.stream(messages, max_tokens=self.settings.max_answer_tokens):
            if not pieces:
                timings["first_token_s"] = time.perf_counter() - started
            pieces.append(piece)
            yield piece
        raw = "".join(pieces)
        checked = [] if looks_like_refusal(raw) else self._check(answer_part(raw), passages)
        timings["total_s"] = time.perf_counter() - started
        head = f"{overview.describe(article)} reports:"
        if any(s.cited for s in checked):
            answer = Answer(
                text=f"{head} {render(checked)}",
                citations=_citations(checked, passages),
                passages=passages,
                standalone_question=question,
                timings=timings,
                excerpts=[e.text for e in excerpts],
            )
        else:
            written = overview.Written()
            written.about(article, self._lead)
            answer = _written(written, question, timings)
        yield answer

    def _lead(self, article: ArticleInfo) -> tuple[str, Passage] | None:
        """The sentence of the article's first passages that stands for it: the one closest in meaning
        to its title, among those of at least LEAD_WORDS words."""
        lines = [replace(p, text=p.text.replace("\n", "\n\n")) for p in article.leads]  # a caption's line ends it
        rows = passage_sentences(lines)
        candidates = [
            (s, p) for p, row in zip(article.leads, rows, strict=True) for s in row if len(s.split()) >= LEAD_WORDS
        ]
        candidates = [(s, p) for s, p in candidates if s.strip() != article.title.strip() and s in p.text]
        if not candidates:
            return None
        vectors = self.retriever.embedder.embed([article.title, *(s for s, _ in candidates)])
        best = int(np.argmax(vectors[1:] @ vectors[0]))
        return candidates[best]

    def warm_up(self) -> None:
        """Evaluate the fixed start of the answer prompt (the system prompt) once, so the first question
        finds it cached."""
        system = {"role": "system", "content": self.prompts.render("answer_system")}
        for _ in self.llm.stream([system, {"role": "user", "content": ""}], max_tokens=1):
            pass

    def _finish(
        self,
        raw: str,
        passages: list[Passage],
        standalone: str,
        timings: dict[str, float],
        started: float,
    ) -> Answer:
        with stage(timings, "check"):
            checked = [] if looks_like_refusal(raw) else self._check(answer_part(raw), passages)
            cited = [sentence.text for sentence in checked if sentence.cited]
            fired = decision.after_model(standalone, raw, cited)
        timings["total_s"] = time.perf_counter() - started
        if fired:
            return _declined(passages, standalone, timings, fired)
        return Answer(
            text=render(checked),
            citations=_citations(checked, passages),
            passages=passages,
            standalone_question=standalone,
            timings=timings,
            signals=tuple(d.code for d in fired),
        )

    def _messages(self, question: str, articles: list[list[Excerpt]]) -> list[Message]:
        """The answer prompt: the excerpts of each article (see `by_article`) as numbered
        passages under that article's title and byline, then the question."""
        blocks = "\n\n".join(
            self.prompts.render(
                "article",
                title=_attr(group[0].passage.title),
                outlet=_attr(group[0].passage.outlet),
                author=_attr(group[0].passage.author),
                passages="\n".join(self.prompts.render("passage", n=e.n, text=_quoted(e.text)) for e in group),
            )
            for group in articles
        )
        return [
            {"role": "system", "content": self.prompts.render("answer_system")},
            {
                "role": "user",
                "content": self.prompts.render(
                    "answer_user",
                    passages=blocks,
                    question=_quoted(question),
                ),
            },
        ]

    def _excerpts(self, question: str, passages: list[Passage], *, several: bool) -> list[Excerpt]:
        sentences = passage_sentences(passages)
        flat = [s for row in sentences for s in row]
        vectors = self.retriever.embedder.embed([question, *flat])
        similarity = cosine_rows(vectors[0], vectors[1:], [len(row) for row in sentences])
        return select(
            question,
            passages,
            sentences,
            similarity,
            budget_words=self.settings.context_words,
            floor=self.settings.sentence_floor,
            second_floor=self.settings.second_article_floor,
            several=several,
        )

    def _check(self, raw: str, passages: list[Passage]) -> list[CheckedSentence]:
        """Each sentence of `raw` verified against the passages' sentences closest to it in meaning: those of
        the passages it cites first, then the best of the others (`grounding/citations.py`)."""
        sentences = [strip_markers(s) for s in split_sentences(raw)]
        if not sentences:
            return []
        flat, similarity = self._sentences_by_meaning(sentences, passages)

        def candidates(i: int, claim: str, cited: tuple[int, ...]) -> list[Evidence]:
            ranked = sorted(range(len(flat)), key=lambda j: -similarity[i, j])
            own = [j for j in ranked if flat[j][0] in cited][:CITED_SENTENCES]
            order = own + [j for j in ranked if j not in own]
            return [Evidence(flat[j][1], passages[flat[j][0] - 1], flat[j][0]) for j in order]

        return check_citations(raw, candidates, self.verifier, support=self.settings.verify_cited)

    def _verdict(
        self, question: str, passages: list[Passage], filters: Filters, timings: dict[str, float], started: float
    ) -> Answer:
        """A yes/no or "who reported it" question: the model splits it into claims, the verifier judges each
        against the closest sentences, and the code writes the verdict or a hedge (`generation/verdict.py`).
        `passages` were retrieved for the question itself, so a claim that is the question reuses them."""

        def find(text: str, who: str) -> list[Evidence]:
            found = passages if (text, who) == (question, "") else self._retrieve_for(text, who, filters)
            return self._evidence(text, found)

        with stage(timings, "claims"):
            read = verdict.read_claim(question)
            if read is not None:
                claims = [read]
            elif len(self.retriever.mentions(question)) >= 2:  # one claim per outlet named: the model splits it
                prompt = self.prompts.render("claims", question=_quoted(question))
                reply = "".join(self.llm.stream([{"role": "user", "content": prompt}], max_tokens=96))
                claims = verdict.parse_claims(reply, question)
            else:  # the question itself is judged against each sentence
                claims = [verdict.Claim("", question, question=True)]
        with stage(timings, "verify"):
            source = self._source_named()
            settled = [verdict.settle_claim(c, self.verifier, find, source=source) for c in claims]
        asks_who = any(c.who == "?" for c in claims) or verdict.asks_who_reported(question)
        written = verdict.who_reported(settled, question, self.verifier) if asks_who else verdict.yes_or_no(settled)
        timings["first_token_s"] = timings["total_s"] = time.perf_counter() - started
        if not written.passages:
            return _declined([], question, timings, decision.before_model([], min_score=1.0, missing=()))
        return Answer(
            text=written.text,
            citations=written.citations,
            passages=written.passages,
            standalone_question=question,
            timings=timings,
            verdict=written.verdict,
            hedged=written.hedged,
        )

    def _source_named(self) -> Callable[[str], str]:
        """A test: the indexed outlet or author a claim's WHO names ('' when none)."""
        authors = self.retriever.names()[1]

        def source(who: str) -> str:
            for mention in self.retriever.mentions(who):
                for outlet in sorted(mention.outlets):
                    return outlet
            folded = who.casefold().strip()
            return next((a for a in sorted(authors) if a.casefold() == folded), "")

        return source

    def _retrieve_for(self, claim: str, who: str, filters: Filters) -> list[Passage]:
        """The passages retrieved for `claim` inside `filters`, of `who`'s articles when given (an outlet or an
        author)."""
        if who:
            outlets = self.retriever.names()[0]
            scope = Filters(outlets=(who,)) if who in outlets else Filters(authors=(who,))
            filters = replace(
                filters, outlets=scope.outlets or filters.outlets, authors=scope.authors or filters.authors
            )
        return self.retriever.retrieve(claim, self.settings.top_k, filters=filters)

    def _evidence(self, claim: str, passages: list[Passage]) -> list[Evidence]:
        """The sentences of `passages`, closest in meaning to `claim` first."""
        flat, similarity = self._sentences_by_meaning([claim], passages)
        order = np.argsort(-similarity[0], kind="stable")
        return [Evidence(flat[j][1], passages[flat[j][0] - 1]) for j in order]

    def _sentences_by_meaning(
        self, texts: list[str], passages: list[Passage]
    ) -> tuple[list[tuple[int, str]], np.ndarray]:
        """Every sentence of `passages` as (passage number, sentence), and the cosine similarity of each of
        `texts` (rows) to each of those sentences (columns)."""
        flat = [(n, sentence) for n, row in enumerate(passage_sentences(passages), 1) for sentence in row if sentence]
        vectors = self.retriever.embedder.embed([*texts, *(sentence for _, sentence in flat)])
        similarity: np.ndarray = vectors[: len(texts)] @ vectors[len(texts) :].T
        return flat, similarity


def _written(written: overview.Written, question: str, timings: dict[str, float]) -> Answer:
    """An answer built from the catalog: its citations point at the lead passages it quotes."""
    citations = [Citation(n, written.passages[n - 1], sentence, 1.0, sentence) for n, sentence in written.cited]
    return Answer(
        text=written.text, citations=citations, passages=written.passages, standalone_question=question, timings=timings
    )


def _worth_reading(passages: list[Passage], floor: float) -> list[Passage]:
    """The passages the model reads: the best two, then those scoring at least `floor` of the best.

    Every passage costs prompt tokens (time before the first word); a weak third or fourth one rarely
    holds the answer and can pull a small model off it. The best two stay for two-article questions.
    """
    top = max((p.score for p in passages), default=0.0)
    return [p for i, p in enumerate(passages) if i < KEEP_PASSAGES or p.score >= floor * top]


def _declined(
    passages: list[Passage],
    standalone: str,
    timings: dict[str, float],
    fired: list[Decline],
    missing: Sequence[str] = (),
) -> Answer:
    """Declined for the first signal that fired (`fired[0]`)."""
    reason = fired[0]
    if reason.code == "outside_filters":
        text = f"{reason.reason} Widen or clear the filters to search the other articles."
    else:
        text = decline_text(passages, missing if reason.code == "unknown_name" else ())
    return Answer(
        text=text,
        refused=True,
        passages=passages,
        standalone_question=standalone,
        timings=timings,
        decline_reason=reason,
        signals=tuple(d.code for d in fired),
    )


def _from_byline(sentence: str, passage: Passage, standalone: str, timings: dict[str, float], started: float) -> Answer:
    checked = [CheckedSentence(sentence, (1,), 1.0)]
    timings["first_token_s"] = timings["total_s"] = time.perf_counter() - started
    return Answer(
        text=render(checked),
        citations=_citations(checked, [passage]),
        passages=[passage],
        standalone_question=standalone,
        timings=timings,
    )


def _citations(checked: list[CheckedSentence], passages: list[Passage]) -> list[Citation]:
    first: dict[int, Citation] = {}
    for sentence in checked:
        for n in sentence.cited:
            first.setdefault(n, Citation(n, passages[n - 1], sentence.text, sentence.support, sentence.evidence))
    return sorted(first.values(), key=lambda c: c.n)


def _attr(value: str) -> str:
    """A title or byline as an attribute value: no quotes, newlines or markup."""
    return re.sub(r"<[^>]*>", "", value).replace('"', "'").replace("\n", " ")[:200]


def _quoted(text: str) -> str:
    """Article or user text made unable to open or close a passage or article tag (spaced or unclosed
    ones too) or to pose as a passage number: "[9]" inside the text becomes "(9)"."""
    text = re.sub(r"<\s*/?\s*(passage|article)\b[^>\n]*>?", "", text, flags=re.IGNORECASE)
    return re.sub(r"\[(\d{1,4})\]", r"(\1)", text)
