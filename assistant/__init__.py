"""A chat assistant that answers questions about news articles, with citations a reader can check.

Data flows one way: article files -> ingest (clean, chunk, embed, upsert into Chroma) -> retrieve ->
answer (LLM, citations checked) -> UI / API / evaluation.
"""

from assistant.config import Settings
from assistant.engine import Assistant
from assistant.errors import AssistantError
from assistant.types import Answer, Citation, Passage

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Passage", "Settings"]
