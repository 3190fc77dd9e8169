"""Retrieval: the embedder, the Chroma store (the only chromadb import), BM25, hybrid fusion with
outlet/date steering, and the catalog of indexed articles."""
