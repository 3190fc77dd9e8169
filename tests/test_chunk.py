"""Chunking: token-aware, bounded, overlapping, with stable ids."""

from __future__ import annotations

import itertools
from dataclasses import replace

from llama_index.core.utils import get_tokenizer

from ingest.chunk import chunk_article
from ingest.load import load_paths
from tests.conftest import SEEDS


def _seeds():
    return load_paths([SEEDS]).articles


def test_chunk__every_chunk_with_its_header_fits_the_token_budget() -> None:
    for article in _seeds():
        for chunk in chunk_article(article, chunk_tokens=128, overlap=16):
            assert len(get_tokenizer()(chunk.indexed_text)) <= 128 + 2  # header line + newline
            assert chunk.indexed_text.startswith(article.title)


def test_chunk__chunks_cover_every_sentence_of_the_article() -> None:
    article = _seeds()[2]
    chunks = chunk_article(article, chunk_tokens=96, overlap=24)
    joined = " ".join(c.text for c in chunks)
    assert len(chunks) > 3
    for paragraph in article.body.split("\n\n"):
        assert paragraph[:60] in joined


def test_chunk__consecutive_chunks_overlap() -> None:
    body = " ".join(f"Sentence number {i} mentions the town of Place{i}." for i in range(60))
    article = replace(_seeds()[0], body=body)
    chunks = chunk_article(article, chunk_tokens=64, overlap=16)
    assert len(chunks) > 5
    for left, right in itertools.pairwise(chunks):
        assert left.text.split(". ")[-1].rstrip(".") in right.text


def test_chunk__ids_are_stable_and_change_with_the_text() -> None:
    article = _seeds()[0]
    first = [c.id for c in chunk_article(article, chunk_tokens=256, overlap=32)]
    again = [c.id for c in chunk_article(article, chunk_tokens=256, overlap=32)]
    edited = [
        c.id
        for c in chunk_article(
            replace(article, body=article.body + " One more sentence."), chunk_tokens=256, overlap=32
        )
    ]
    assert first == again
    assert first[0].startswith(f"{article.source_id}:0:")
    assert first[-1] != edited[-1]
