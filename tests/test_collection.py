"""Questions about the collection: recognised from their structure, answered from the catalog."""

from __future__ import annotations

import pytest

from assistant.generation import overview
from assistant.question.collection import Request, classify
from assistant.retrieval.catalog import ArticleInfo
from assistant.types import Passage

COLLECTION = [
    ("What is this collection about?", "overview"),
    ("What can I ask you about?", "overview"),
    ("Which articles do you have?", "articles"),
    ("Which outlets are in the collection?", "outlets"),
    ("who wrote these pieces?", "authors"),
    ("How many articles are there?", "count"),
    ("What are the latest articles?", "latest"),
    ("newest?", "latest"),
    ("Summarise the article about the coalition pausing training", "summary"),
    ("Sum up the Antiwar.com story", "summary"),
    ("What does Antiwar.com report?", "outlet"),
]
ORDINARY = [
    "How many Sunni civilians did Reuters confirm were killed?",
    "What does Antiwar.com report about the militias?",  # a topic: answered from the passages, steered to the outlet
    "Summarise what McGurk said about the militias",
    "Who wrote the letter that seemed to suggest US forces were leaving Iraq?",
    "Is the US leaving Iraq?",
    "Which outlets reported that Esper denied leaving Iraq?",
    "Did the Antiwar.com article suggest the militias were reined in?",
]


def spans(question: str) -> list[tuple[int, int]]:
    start = question.find("Antiwar.com")
    return [(start, start + len("Antiwar.com"))] if start >= 0 else []


@pytest.mark.parametrize(("question", "kind"), COLLECTION)
def test_classify__collection_questions_and_their_kind(question: str, kind: str) -> None:
    request = classify(question, spans(question))
    assert request is not None and request.kind == kind


@pytest.mark.parametrize("question", ORDINARY)
def test_classify__questions_about_the_news_stay_on_the_normal_path(question: str) -> None:
    assert classify(question, spans(question)) is None


def test_classify__a_summary_keeps_its_topic_and_a_count_what_it_counts() -> None:
    assert classify("Summarise the article about the coalition pausing training") == Request(
        "summary", topic="coalition pausing training"
    )
    assert classify("How many outlets are there?") == Request("count", part="outlets")


def article(i: int, outlet: str, day: str, category: str = "tech") -> ArticleInfo:
    lead = Passage(f"Story {i} says the launch slipped to {day}.", f"s{i}", f"Title {i}", 0.0)
    return ArticleInfo(f"s{i}", f"Title {i}", outlet, f"Author {i % 3}", day, 2, "", category, (lead,))


def first_sentence(a: ArticleInfo) -> tuple[str, Passage]:
    return a.leads[0].text, a.leads[0]


def test_overview__a_long_collection_is_counted_by_outlet_month_and_category_with_the_latest_cited() -> None:
    articles = [
        article(i, ["TechCrunch", "The Verge"][i % 2], f"2023-{10 + i % 2}-{1 + i % 28:02d}") for i in range(40)
    ]
    written = overview.overview(articles, first_sentence)
    assert written.text.startswith("The collection holds 40 articles from 2 outlets, published from")
    assert "By outlet: TechCrunch (20), The Verge (20)." in written.text
    assert "By month: October 2023 (20), November 2023 (20)." in written.text
    assert len(written.passages) == 3 and written.text.count("[") == 3 and "[3]" in written.text
    assert len(written.text) < 1200


def test_overview__a_small_collection_says_what_each_article_is_about() -> None:
    written = overview.overview([article(1, "Antiwar.com", "2023-10-05"), article(2, "", "")], first_sentence)
    assert (
        "“Title 1” (Antiwar.com, Author 1, 5 October 2023): Story 1 says the launch slipped to 2023-10-05 [1]."
        in written.text
    )
    assert written.cited == [
        (1, "Story 1 says the launch slipped to 2023-10-05."),
        (2, "Story 2 says the launch slipped to ."),
    ]


def test_names_count_latest_and_an_empty_scope() -> None:
    articles = [article(i, "TechCrunch" if i < 3 else "", f"2023-11-0{i + 1}") for i in range(5)]
    assert (
        overview.names(articles, "outlets").text
        == "1 outlet in 5 articles: TechCrunch (3).\n\n2 articles name no outlet."
    )
    assert overview.count(articles, "articles").text == "There are 5 articles, from 1 outlet and by 3 named authors."
    assert overview.latest(articles, first_sentence).text.split("\n\n")[1].startswith("“Title 4”")
    assert overview.listing([], "from Polygon").text == "No indexed article is from Polygon."


def routed(path: str) -> tuple[int, int, int, int]:
    """(collection questions, routed to the right kind, ordinary questions, ordinary routed) of a file of
    questions labelled by someone who never saw the classifier (tests/data/collection/)."""
    import json
    import re

    from assistant.question.mentions import OutletMatcher
    from tests.conftest import MULTIHOP, PROJECT_DIR

    outlets = {a["source"] for a in json.loads((MULTIHOP / "corpus.json").read_text())}
    matcher = OutletMatcher(outlets | {"Antiwar.com", "Daily Caller News Foundation", "The Epoch Times"})
    kinds = {"list_articles": "articles", "list_outlets": "outlets", "list_authors": "authors", "summarise": "summary"}
    rows = [json.loads(line) for line in (PROJECT_DIR / path).read_text().splitlines() if line.strip()]
    asked = [(r["question"], kinds.get(r["kind"], re.sub("_overview$", "", r["kind"]))) for r in rows]
    got = [(classify(q, [(m.start, m.end) for m in matcher.mentions(q)]), kind) for q, kind in asked]
    collection = [(r, kind) for r, kind in got if kind != "ordinary"]
    ordinary = [r for r, kind in got if kind == "ordinary"]
    right = sum(1 for r, kind in collection if r is not None and r.kind == kind)
    return len(collection), right, len(ordinary), sum(1 for r in ordinary if r is not None)


def test_classify__on_questions_written_by_someone_who_never_saw_it() -> None:
    """The held-out file was written after the classifier, by a writer told only the kinds; the rule was
    not changed after it was run (README: 35 of 64 routed, 0 of 64 ordinary)."""
    total, right, ordinary, wrong = routed("tests/data/collection/held-out.jsonl")
    assert (total, ordinary) == (64, 64)
    assert right / total >= 0.5 and wrong == 0


def test_classify__never_takes_a_multihop_or_qa_question_for_one_about_the_collection() -> None:
    import json

    from assistant.question.mentions import OutletMatcher
    from tests.conftest import MULTIHOP, PROJECT_DIR

    corpus = json.loads((MULTIHOP / "corpus.json").read_text())
    matcher = OutletMatcher({a["source"] for a in corpus})
    questions = [q["query"] for q in json.loads((MULTIHOP / "MultiHopRAG.json").read_text())]
    questions += [
        json.loads(line)["question"] for line in (PROJECT_DIR / "tests/data/qa.jsonl").read_text().splitlines()
    ]
    taken = [q for q in questions if classify(q, [(m.start, m.end) for m in matcher.mentions(q)]) is not None]
    assert len(questions) == 2556 + 75 and taken == []
