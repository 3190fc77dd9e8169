"""The two pipelines the benchmark compares, behind one small interface.

`Ours` is the product: hybrid retrieval, selected sentences in the prompt, checked citations.
`Baseline` is what a user writes by hand in twenty lines of llama-index: a `VectorStoreIndex` over a
Chroma collection, default chunking (SentenceSplitter, 1,024 tokens), default query engine (top 2,
compact synthesis, default prompt), with the same embedder and the same loaded LLM. Neither is tuned
for the benchmark, and neither caches answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.generation.llm import LLM
from assistant.retrieval.embed import Embedder
from assistant.retrieval.retrieve import build_retriever
from assistant.retrieval.store import open_collection
from assistant.types import Answer
from ingest.index import ingest_paths
from ingest.lock import writer_lock


@dataclass
class Reply:
    """One timed answer."""

    text: str
    refused: bool
    prompt_tokens: int
    first_token_s: float
    total_s: float
    stages: dict[str, float] = field(default_factory=dict)
    evaluated: tuple[int, float] = (0, 0.0)  # prompt tokens the model read (not cached) and the ms it took


class Ours:
    """The product's engine over its own store in `settings.data_dir`."""

    name = "ours"

    def __init__(self, settings: Settings, embedder: Embedder, llm: LLM, *, cold: bool = False) -> None:
        self.settings = settings
        self.llm = llm
        self.cold = cold  # forget the KV cache and cached vectors before every answer
        self.retriever = build_retriever(settings, embedder)
        self.assistant = Assistant.from_settings(settings, retriever=self.retriever, llm=llm)

    def ingest(self, paths: list[Path]) -> int:
        """Index the articles under `paths`; returns the number of chunks."""
        with writer_lock(self.settings.data_dir):
            report = ingest_paths(
                paths,
                store=self.retriever.store,
                embedder=self.retriever.embedder,
                chunk_tokens=self.settings.chunk_tokens,
                chunk_overlap=self.settings.chunk_overlap,
                lexical_dir=self.settings.lexical_dir,
                progress=False,
            )
        self.retriever.refresh()
        return report.chunks

    def replicate(self, copies: int) -> int:
        """Add `copies` more copies of every stored chunk under new ids (vectors reused); returns the count."""
        records = list(self.retriever.store.records())
        for copy in range(1, copies + 1):
            for start in range(0, len(records), 1000):
                batch = records[start : start + 1000]
                self.retriever.store.upsert(
                    [f"{chunk_id}~{copy}" for chunk_id, *_ in batch],
                    np.stack([vector for *_, vector in batch]),
                    [text for _, text, _, _ in batch],
                    [meta | {"source_id": f"{meta.get('source_id', '')}~{copy}"} for _, _, meta, _ in batch],
                )
        self.retriever.refresh()
        return self.retriever.store.count()

    def retrieve(self, question: str) -> None:
        self.retriever.retrieve(question, self.settings.top_k)

    def answer(self, question: str) -> Reply:
        if self.cold:
            self.retriever.embedder.forget()
            forget = getattr(self.llm, "forget", None)
            if forget is not None:
                forget()
        started = time.perf_counter()
        first = 0.0
        answer: Answer | None = None
        for item in self.assistant.stream(question):
            if isinstance(item, Answer):
                answer = item
            elif not first:
                first = time.perf_counter() - started
        total = time.perf_counter() - started
        assert answer is not None, "Assistant.stream always ends with an Answer"
        asked = not (answer.refused and not first)  # a refusal before the model was asked has no usage
        tokens = int(self.llm.usage.get("prompt_tokens", 0)) if asked else 0
        evaluated = _evaluated(self.llm) if asked else (0, 0.0)
        return Reply(answer.text, answer.refused, tokens, first or total, total, dict(answer.timings), evaluated)


class Baseline:
    """llama-index defaults over Chroma, with the same embedder and LLM objects."""

    name = "baseline"

    def __init__(self, directory: Path, embedder: Embedder, llm: LLM) -> None:
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.llm = llm
        self.collection = open_collection(directory, "baseline")
        self._store = ChromaVectorStore(chroma_collection=self.collection)
        self._embed = _embedding(embedder)
        self._storage = StorageContext.from_defaults(vector_store=self._store)
        self.index = VectorStoreIndex.from_vector_store(self._store, embed_model=self._embed)

    def ingest(self, paths: list[Path]) -> int:
        from llama_index.core import VectorStoreIndex

        documents = [d for path in paths for d in _documents(path)]
        self.index = VectorStoreIndex.from_documents(
            documents, storage_context=self._storage, embed_model=self._embed, show_progress=False
        )
        return int(self.collection.count())

    def replicate(self, copies: int) -> int:
        page = self.collection.get(include=["documents", "metadatas", "embeddings"])
        for copy in range(1, copies + 1):
            for start in range(0, len(page["ids"]), 1000):
                end = start + 1000
                self.collection.upsert(
                    ids=[f"{i}~{copy}" for i in page["ids"][start:end]],
                    embeddings=page["embeddings"][start:end],
                    documents=page["documents"][start:end],
                    metadatas=page["metadatas"][start:end],
                )
        return int(self.collection.count())

    def retrieve(self, question: str) -> None:
        self.index.as_retriever().retrieve(question)

    def answer(self, question: str) -> Reply:
        engine = self.index.as_query_engine(llm=_llm(self.llm), streaming=True)
        started = time.perf_counter()
        first = 0.0
        text = ""
        for piece in engine.query(question).response_gen:  # type: ignore[union-attr]
            first = first or time.perf_counter() - started
            text += piece
        total = time.perf_counter() - started
        tokens = int(self.llm.usage.get("prompt_tokens", 0))
        return Reply(text, False, tokens, first or total, total, evaluated=_evaluated(self.llm))


def _evaluated(llm: LLM) -> tuple[int, float]:
    """The last reply's uncached prompt tokens and the milliseconds the model took to read them."""
    return int(llm.usage.get("prompt_tokens_evaluated", 0)), float(llm.usage.get("prompt_eval_ms", 0.0))


def _documents(path: Path) -> Iterator[Any]:
    """What a user would load: a folder through SimpleDirectoryReader, MultiHop's corpus.json by hand."""
    from llama_index.core import Document, SimpleDirectoryReader

    if path.is_dir():
        yield from SimpleDirectoryReader(str(path)).load_data()
        return
    for item in json.loads(path.read_text(encoding="utf-8")):
        meta = {k: item.get(k, "") for k in ("title", "source", "published_at")}
        yield Document(text=item["body"], metadata=meta)


def _embedding(embedder: Embedder) -> Any:
    """Our ONNX embedder as a llama-index embedding model."""
    from llama_index.core.embeddings import BaseEmbedding

    class SameEmbedding(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return [float(x) for x in embedder.embed_one(query)]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._get_query_embedding(text)

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in embedder.embed(texts)]

    return SameEmbedding(model_name=embedder.model_id)


def _llm(backend: LLM, max_tokens: int = 320) -> Any:
    """Our loaded LLM as a llama-index completion model (each prompt sent as one user message)."""
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback

    def pieces(prompt: str) -> Iterator[str]:
        return backend.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens)

    class SameLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=4096, num_output=max_tokens, model_name=backend.name)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text="".join(pieces(prompt)))

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            text = ""
            for piece in pieces(prompt):
                text += piece
                yield CompletionResponse(text=text, delta=piece)

    return SameLLM()
