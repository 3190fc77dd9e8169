"""A chat assistant that answers questions about news articles, with citations a reader can check.

Data flows one way: article files -> ingest/ (clean, chunk, embed, upsert into Chroma), then for each
question: question/ (validate, condense, what it asks) -> retrieval/ (BM25 + dense, steered, filtered)
-> generation/ (what the model reads, the LLM) -> grounding/ (citations checked, answer or decline)
-> presentation/ (what the page shows); `engine.Assistant` runs those stages in order.
"""

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.types import Answer, Citation, Passage

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Passage", "Settings"]
