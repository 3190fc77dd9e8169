"""The local ONNX embedder: all-MiniLM-L6-v2 (int8) run with onnxruntime and tokenizers.

Mean pooling over the attention mask, then L2 normalisation, as sentence-transformers does for this
model. Texts are cut at 128 word pieces, the length the model was trained on: twice as fast as 256 on a
CPU, and BM25 still reads every word of a chunk. Recent texts' vectors are kept (a bounded LRU cache):
the engine embeds the same passages' sentences question after question. It does not download anything
or use PyTorch.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant import models

MODEL_ID = "all-MiniLM-L6-v2-int8-128"
DIMENSION = 384
MAX_TOKENS = 128
CACHE_SIZE = 8192  # vectors kept, about 12 MB


class Embedder:
    """Turns texts into unit vectors of DIMENSION floats."""

    model_id = MODEL_ID
    dimension = DIMENSION

    def __init__(self, onnx_path: Path, tokenizer_path: Path, *, threads: int = 0, batch_size: int = 16) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._batch_size = batch_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    @classmethod
    def from_model_dir(cls, model_dir: Path, *, threads: int = 0) -> Embedder:
        """Build from the verified files in `model_dir`, assembling them from their packages if needed."""
        onnx_path = models.ensure(models.EMBED_ONNX, model_dir)
        tokenizer_path = models.ensure(models.EMBED_TOKENIZER, model_dir)
        return cls(onnx_path, tokenizer_path, threads=threads)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """An array of shape (len(texts), DIMENSION), each row of unit length."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if text in self._cache:
                self._cache.move_to_end(text)
                out[i] = self._cache[text]
            else:
                missing.setdefault(text, []).append(i)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(missing, key=len)
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            for text, vector in zip(batch, self._embed_batch(batch), strict=True):
                out[missing[text]] = vector
                self._remember(text, vector)
        return out

    def forget(self) -> None:
        """Empty the vector cache."""
        self._cache.clear()

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def embed_one(self, text: str) -> np.ndarray:
        """One unit vector."""
        return self.embed([text])[0]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
