"""The article list: one row per article from the store's chunks, text joined without the overlap."""

from __future__ import annotations

import pytest

from assistant.retrieval.catalog import Catalog, join_overlapping
from assistant.retrieval.retrieve import Retriever


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("", "Only chunk.", "Only chunk."),
        (
            "The first part ends with the shared words here.",
            "the shared words here. Then more.",
            "The first part ends with the shared words here. Then more.",
        ),
        ("No overlap at all.", "A new paragraph.", "No overlap at all.\n\nA new paragraph."),
        ("Ends in a dot.", ". Starts with one.", "Ends in a dot.\n\n. Starts with one."),  # 1 char is chance
    ],
)
def test_join_overlapping__removes_the_chunkers_overlap_only(left: str, right: str, joined: str) -> None:
    assert join_overlapping(left, right) == joined


def test_catalog__lists_the_seed_articles_with_their_chunks_and_whole_text(seeded_retriever: Retriever) -> None:
    catalog = Catalog.load(seeded_retriever.store)
    assert len(catalog.articles) == 3 and catalog.chunk_total == seeded_retriever.store.count() == 8
    militias = next(a for a in catalog.articles if a.source_id == "001_810fd9463e87c3a4")
    assert militias.outlet == "Antiwar.com" and militias.author == "Jason Ditz"
    sentence = "Reuters is now reporting that a confirmed 66 Sunni civilians were killed"
    assert militias.text.count(sentence) == 1
    assert militias.to_dict() == {
        "source_id": "001_810fd9463e87c3a4",
        "title": militias.title,
        "outlet": "Antiwar.com",
        "author": "Jason Ditz",
        "published_at": "",
        "chunks": 2,
    }
    assert catalog.chunk_counts["001_810fd9463e87c3a4"] == 2
