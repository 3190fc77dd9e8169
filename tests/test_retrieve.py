"""Hybrid retrieval over a real Chroma store and a real BM25 index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.retrieval.embed import Embedder
from assistant.retrieval.retrieve import Retriever, build_retriever
from tests.conftest import make_settings, seeded_store

ARTICLES = [
    (
        "The Verge",
        "2023-10-05",
        "Phone prices",
        "Phone makers cut prices on flagship phones this quarter, analysts said.",
    ),
    (
        "TechCrunch",
        "2023-10-06",
        "Laptop prices",
        "Laptop prices fell sharply as makers cleared old stock, data shows.",
    ),
    ("Mashable", "2023-10-05", "Phone deals", "The best phone deals this week include big cuts on flagship phones."),
    ("Mashable", "2023-11-20", "Garden tips", "Tomatoes need sun and regular water to grow well in summer."),
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Retriever:
    folder = tmp_path_factory.mktemp("outlets")
    records = [
        {"title": t, "body": b, "source": s, "published_at": f"{d}T08:00:00+00:00", "url": f"https://x/{i}"}
        for i, (s, d, t, b) in enumerate(ARTICLES)
    ]
    (folder / "articles.json").write_text(json.dumps(records))
    return seeded_store(make_settings(folder / "data"), embedder, [folder / "articles.json"])


def test_retrieve__ranks_the_matching_text_first_and_scores_descend(retriever: Retriever) -> None:
    passages = retriever.retrieve("How do tomatoes grow?", 4)
    assert passages[0].title == "Garden tips"
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert passages[0].similarity > passages[-1].similarity


def test_retrieve__named_outlets_each_get_a_place_at_the_top(retriever: Retriever) -> None:
    passages = retriever.retrieve("Did The Verge and TechCrunch both report falling prices?", 2)
    assert {p.outlet for p in passages} == {"The Verge", "TechCrunch"}


def test_retrieve__a_date_in_the_question_prefers_articles_from_that_day(retriever: Retriever) -> None:
    passages = retriever.retrieve("Which phone deals were published on October 5, 2023?", 2)
    assert {p.published_at[:10] for p in passages} == {"2023-10-05"}


def test_retrieve__lexical_index_is_persisted_and_reloaded(retriever: Retriever, tmp_path: Path) -> None:
    again = Retriever(retriever.store, retriever.embedder, lexical_dir=retriever.lexical_dir)
    assert again.lexical is not None and again.lexical.ids == retriever.lexical.ids  # type: ignore[union-attr]
    assert (Path(str(retriever.lexical_dir)) / "index.json").is_file()


def test_retrieve__a_date_after_an_outlet_picks_that_outlets_article_of_the_day(retriever: Retriever) -> None:
    passages = retriever.retrieve("What did Mashable publish on November 20, 2023?", 1)
    assert (passages[0].outlet, passages[0].title) == ("Mashable", "Garden tips")


def test_store_nearest__same_chunks_and_similarities_as_query_without_reading_text(
    retriever: Retriever, embedder: Embedder, tmp_path: Path
) -> None:
    vector = embedder.embed_one("flagship phone prices")
    nearest = retriever.store.nearest(vector, 3)
    passages = retriever.store.query(vector, 3)
    assert [chunk_id for chunk_id, _ in nearest] == [p.chunk_id for p in passages]
    assert [round(s, 5) for _, s in nearest] == [round(p.similarity, 5) for p in passages]
    assert len(retriever.store.nearest(vector, 100)) == retriever.store.count()
    assert build_retriever(make_settings(tmp_path / "empty"), embedder).store.nearest(vector, 5) == []
