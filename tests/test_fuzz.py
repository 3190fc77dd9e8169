"""Generated questions, histories and hostile model replies through the real engine over the seeded store:
every call ends in an Answer whose citations point at its passages, or in an AssistantError; nothing else.

The embedder is the real one, memoised (each text embedded once), so thousands of examples fit in a minute.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.generation.prompts import Prompts
from assistant.grounding.citations import parse_markers
from assistant.retrieval.retrieve import Retriever
from assistant.text import split_sentences
from assistant.types import Answer
from tests.conftest import PROJECT_DIR, SEEDS
from tests.fakes import MemoEmbedder, ScriptedLLM

VOCABULARY = sorted({w for f in SEEDS.glob("*.txt") for w in re.findall(r"[A-Za-z][A-Za-z'-]{3,}", f.read_text())})
SENTENCES = sorted({s for f in SEEDS.glob("*.txt") for s in split_sentences(f.read_text()) if len(s) > 40})
HOSTILE = "\u202e\u202d\u200b\u0000\u0007\x1b[31m\r\n\t\ufeff"  # direction overrides, zero-width, controls, ANSI

texts = st.text(st.characters(codec="utf-8") | st.sampled_from(HOSTILE), max_size=400)
seed_questions = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=12).map(" ".join).map(lambda q: q + "?")
seed_sentences = st.sampled_from(SENTENCES)
questions = st.one_of(
    texts,
    seed_questions,
    seed_sentences.map(lambda s: s.rstrip(".") + "?"),
    seed_questions.map("what about it ".__add__),
)
markers = st.integers(-3, 120).map(lambda n: f"[{n}]")
words = st.sampled_from(VOCABULARY) | markers
sentences = st.lists(words, min_size=1, max_size=20).map(" ".join).map(lambda s: s + ".")
replies = st.one_of(
    st.just(""),
    st.lists(markers, min_size=1, max_size=10).map(" ".join),  # only markers
    st.lists(sentences, min_size=1, max_size=6).map(" ".join),  # bad markers [0] [99] [-1] among real words
    st.lists(st.tuples(seed_sentences, markers).map(" ".join), min_size=1, max_size=4).map(" ".join),  # quotes
    sentences.map(lambda s: s * 400),  # huge
    texts,
    st.just("The articles do not say."),
)
pairs = st.lists(texts | seed_questions, min_size=2, max_size=2)
histories = st.lists(pairs, max_size=10)
malformed = st.one_of(
    st.none(),
    st.integers(),
    texts,
    st.lists(st.one_of(st.none(), st.integers(), texts, st.lists(texts | st.integers(), max_size=4)), max_size=8),
    st.dictionaries(texts, texts, max_size=3),
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "800"))  # per test but the last, which gets half
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _ask(retriever: Retriever, question: str, history: object, reply: Sequence[str]) -> Answer | None:
    """Ask with a scripted model; None when the engine refused the input with an AssistantError."""
    llm = ScriptedLLM(*reply)
    engine = Assistant(retriever, llm, Prompts.load(PROJECT_DIR / "prompts"))
    try:
        answer = engine.ask(question, history)  # type: ignore[arg-type]
        event(f"model called {len(llm.calls)} times")
        return answer
    except AssistantError as error:
        assert str(error).strip(), "an AssistantError needs a message a person can read"
        return None


def _consistent(answer: Answer | None) -> None:
    event("input refused" if answer is None else "declined" if answer.refused else "answered with citations")
    if answer is None:
        return
    cited = {c.n for c in answer.citations}
    assert cited <= set(range(1, len(answer.passages) + 1))
    assert set(parse_markers(answer.text)) <= cited
    assert not (answer.refused and answer.citations)


@pytest.fixture(scope="module")
def retriever(seeded_retriever: Retriever) -> Retriever:
    """The seeded store and BM25 index, with the real embedder memoised."""
    embedder = MemoEmbedder(lambda: seeded_retriever.embedder)
    return Retriever(seeded_retriever.store, embedder, lexical_dir=seeded_retriever.lexical_dir)  # type: ignore[arg-type]


@FUZZ
@given(question=questions, history=histories, reply=st.lists(replies, min_size=2, max_size=2))
@pytest.mark.slow
def test_ask__generated_questions_histories_and_replies(
    retriever: Retriever, question: str, history: list[list[str]], reply: list[str]
) -> None:
    _consistent(_ask(retriever, question, history, reply))


@FUZZ
@given(question=questions, history=malformed)
@pytest.mark.slow
def test_ask__malformed_histories_are_refused_or_ignored(retriever: Retriever, question: str, history: object) -> None:
    _consistent(_ask(retriever, question, history, ["Words [1].", "Words [1]."]))


@settings(FUZZ, max_examples=EXAMPLES // 2)
@given(question=st.one_of(st.none(), st.integers(), st.binary(), texts, texts.map(lambda t: t.ljust(1990, "z") + t)))
def test_retrieve__any_input_is_passages_or_an_assistant_error(retriever: Retriever, question: object) -> None:
    engine = Assistant(retriever, ScriptedLLM(), Prompts.load(PROJECT_DIR / "prompts"))
    try:
        passages = engine.retrieve(question, k=3)  # type: ignore[arg-type]
    except AssistantError:
        return
    assert len(passages) <= 3
