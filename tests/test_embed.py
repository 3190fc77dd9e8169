"""The ONNX embedder: unit vectors whose similarities rank meaning, as all-MiniLM-L6-v2 does."""

from __future__ import annotations

import numpy as np

from assistant.embed import DIMENSION, Embedder


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
