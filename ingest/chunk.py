"""Token-aware chunking (tiktoken through llama-index's SentenceSplitter) with stable chunk ids.

A chunk id is `source_id:chunk_number:content_hash`, so re-chunking unchanged text gives the same ids
and any change to the text or its header gives new ones. It does not embed or store anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.utils import get_tokenizer

from assistant.retrieval.lexical import indexed_text, search_header
from ingest.load import Article


@dataclass(frozen=True)
class Chunk:
    """A piece of an article: `text` is shown to readers, `indexed_text` is embedded and searched."""

    id: str
    source_id: str
    index: int
    text: str
    indexed_text: str
    metadata: dict[str, Any]


def chunk_article(article: Article, *, chunk_tokens: int, overlap: int) -> list[Chunk]:
    """Split an article's body into chunks of at most `chunk_tokens` tiktoken tokens, header included."""
    about = {
        "source_id": article.source_id,
        "title": article.title,
        "outlet": article.outlet,
        "author": article.author,
        "published_at": article.published_at,
        "url": article.url,
        "category": article.category,
    }
    pieces = _splitter(chunk_tokens, overlap).split_text_metadata_aware(article.body, search_header(about))
    chunks = []
    for index, text in enumerate(pieces):
        indexed = indexed_text(text, about)
        digest = hashlib.sha1(indexed.encode()).hexdigest()[:12]
        metadata = about | {"chunk_index": index}
        chunks.append(Chunk(f"{article.source_id}:{index}:{digest}", article.source_id, index, text, indexed, metadata))
    return chunks


@lru_cache(maxsize=8)
def _splitter(chunk_tokens: int, overlap: int) -> SentenceSplitter:
    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
        tokenizer=get_tokenizer(),
        paragraph_separator="\n\n",
        include_metadata=False,
        include_prev_next_rel=False,
    )
