"""End to end with the real embedder, a real Chroma store and the real embedded LLM."""

from __future__ import annotations

import pytest

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.generation.llm import LLM, LocalLLM
from assistant.presentation.render import supporting_sentence
from assistant.retrieval.retrieve import Retriever

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def real_assistant(seeded_retriever: Retriever, local_llm: LLM) -> Assistant:
    # the product's configuration (context budget, floors), as `python app.py` builds it
    return Assistant.from_settings(Settings.from_env(), retriever=seeded_retriever, llm=local_llm)


@pytest.mark.parametrize(
    ("question", "expected", "evidence"),
    [
        ("How many Sunni civilians did Reuters confirm were killed?", "66", "66 Sunni civilians"),
        (
            "Who wrote the letter that seemed to suggest US forces were pulling out of Iraq?",
            "Seely",
            "William H. Seely III",
        ),
        ("According to Gen. Dunford, about how many US troops were killed by Iranian activities?", "500", "about 500"),
        ("What share of the Iranian-backed militias did Brett McGurk call a fundamental problem?", "15", "15-20%"),
    ],
)
def test_ask__answers_seed_questions_with_checked_citations(
    real_assistant: Assistant, question: str, expected: str, evidence: str
) -> None:
    answer = real_assistant.ask(question)
    assert not answer.refused, answer.text
    assert expected in answer.text
    assert answer.citations, answer.text
    assert all(1 <= c.n <= len(answer.passages) for c in answer.citations)
    assert any(evidence in c.passage.text for c in answer.citations)
    assert f"[{answer.citations[0].n}]" in answer.text


@pytest.mark.parametrize(
    ("question", "verdicts"),
    [
        # the cited passage says Esper "stressed they're not leaving the country": never a Yes
        ("Is the US leaving Iraq?", {"no", ""}),
        # "the Pentagon press office … writing on Twitter": a question restating its passage is a Yes
        ("Did the Pentagon press office post on Twitter?", {"yes"}),
        # only Antiwar.com reported it: a No that names who did
        ("Did the Daily Caller News Foundation report that a confirmed 66 Sunni civilians were killed?", {"no", ""}),
    ],
)
def test_ask__a_yes_no_verdict_comes_only_from_a_verified_sentence(
    real_assistant: Assistant, question: str, verdicts: set[str]
) -> None:
    answer = real_assistant.ask(question)
    assert not answer.refused, answer.decline_reason
    assert answer.verdict in verdicts, answer.text
    assert answer.citations and supporting_sentence(answer.citations[0])  # the page can mark it in the passage
    if answer.verdict:
        assert answer.text.startswith(answer.verdict.capitalize()) and not answer.hedged
    else:
        assert answer.hedged and answer.text.startswith("The articles do not settle this.")


def test_ask__who_reported_it_is_the_article_whose_sentence_verifies_it(real_assistant: Assistant) -> None:
    answer = real_assistant.ask(
        "Who reported that a U.S. civilian was killed in rocket attacks, Jason Ditz or Jack Phillips?"
    )
    assert answer.verdict == "Jack Phillips" and answer.text.startswith("Jack Phillips."), answer.text
    assert "U.S. civilian" in answer.citations[0].evidence


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",  # far from every passage: declined before the model is asked
        "Which Iraqi city hosted the signing of the 2008 status of forces agreement?",  # near, but not in the text
    ],
)
def test_ask__unanswerable_questions_are_declined(real_assistant: Assistant, question: str) -> None:
    answer = real_assistant.ask(question)
    assert answer.refused, answer.text
    assert answer.text.startswith("The articles do not say.")
    assert answer.citations == []


def test_local_llm__warm_up_leaves_the_fixed_prompt_start_cached(real_assistant: Assistant) -> None:
    llm = real_assistant.llm
    assert isinstance(llm, LocalLLM)
    question = "Why did the US-led coalition pause training of Iraqi forces?"
    llm.forget()
    real_assistant.ask(question)
    cold = dict(llm.usage)
    llm.forget()
    real_assistant.warm_up()
    real_assistant.ask(question)
    warm = dict(llm.usage)
    assert cold["prompt_tokens"] == warm["prompt_tokens"] > 100
    assert cold["prompt_tokens_evaluated"] >= cold["prompt_tokens"] - 1  # nothing was cached
    assert warm["prompt_tokens_evaluated"] <= warm["prompt_tokens"] - 100  # the system prompt was


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is this collection about?", ["3 articles", "US Efforts Fail to Rein in Iraqi Shi’ite Militias"]),
        ("Which outlets are in the collection?", ["Antiwar.com (1)", "Daily Caller News Foundation (1)"]),
        ("who wrote these pieces?", ["Jason Ditz", "Jack Phillips", "Saagar Enjeti"]),
        ("How many articles are there?", ["There are 3 articles"]),
        ("What does Antiwar.com report?", ["Antiwar.com has 1 article", "Shi’ite militias"]),
    ],
)
def test_collection_questions__answered_from_the_catalog(
    real_assistant: Assistant, question: str, expected: list[str]
) -> None:
    answer = real_assistant.ask(question)
    assert not answer.refused and all(e in answer.text for e in expected), answer.text
    for citation in answer.citations:  # a quoted lead sentence is in the passage it cites
        assert citation.sentence.rstrip(".") in citation.passage.text


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Summarise the article about the coalition pausing training", "US-Led Coalition Halts Training"),
        ("Sum up the Antiwar.com story", "US Efforts Fail to Rein in Iraqi"),
    ],
)
def test_collection_summary__the_model_summarises_the_right_article_with_checked_citations(
    real_assistant: Assistant, question: str, article: str
) -> None:
    answer = real_assistant.ask(question)
    assert not answer.refused and answer.text.startswith(f"“{article}") and answer.citations
    assert {c.passage.title for c in answer.citations} == {next(p.title for p in answer.passages)}
    assert all(c.passage.title.startswith(article) for c in answer.citations)


def test_collection__a_question_with_a_topic_stays_on_the_normal_path(real_assistant: Assistant) -> None:
    answer = real_assistant.ask("What does Antiwar.com report about the militias?")
    assert "has 1 article" not in answer.text and answer.passages
    assert answer.passages[0].outlet == "Antiwar.com"


def test_real_app__a_collection_question_right_after_the_first_start_seeded_the_store(app_url: str) -> None:
    """`python app.py` on an empty data dir ingests the seeds at start; its outlets are known at once
    (they were not: the outlet matcher was built before the seeds were in the store)."""
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    answer = client.predict("What does Antiwar.com report?", [], api_name="/ask")
    assert answer["answer"].startswith("Antiwar.com has 1 article") and answer["citations"], answer["answer"]
    assert client.predict("How many articles are there?", [], api_name="/ask")["answer"].startswith(
        "There are 3 articles"
    )
