"""The ONNX embedder: unit vectors whose similarities rank meaning, as all-MiniLM-L6-v2 does."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.embed import DIMENSION, Embedder


def test_embed__unit_vectors_of_the_model_dimension(embedder: Embedder) -> None:
    vectors = embedder.embed(["one", "two words", "a somewhat longer sentence " * 80])
    assert vectors.shape == (3, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_embed__similar_meaning_ranks_above_unrelated(embedder: Embedder) -> None:
    query, close, far = embedder.embed(
        [
            "How many civilians were killed by militias?",
            "Militias killed 66 civilians, Reuters reported.",
            "The recipe needs two cups of flour.",
        ]
    )
    assert float(query @ close) > float(query @ far) + 0.3


def test_embed__batching_and_order_do_not_change_vectors(embedder: Embedder) -> None:
    texts = ["short", "a much longer text about Iraq and Iran and the coalition", "mid length text"]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed_one(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_embed__repeated_texts_come_from_the_cache_unchanged(embedder: Embedder) -> None:
    texts = ["Reuters confirmed 66 deaths.", "Reuters confirmed 66 deaths.", "The coalition paused training."]
    first = embedder.embed(texts)
    again = embedder.embed(texts[::-1])
    assert np.array_equal(first[0], first[1])
    assert np.array_equal(again[::-1], first)


def test_embed__cache_keeps_only_the_most_recent_texts(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.retrieval.embed.CACHE_SIZE", 2)
    for text in ("alpha text", "beta text", "gamma text"):
        embedder.embed([text])
    assert list(embedder._cache) == ["beta text", "gamma text"]
