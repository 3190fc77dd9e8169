"""Checking what a caller sends before it reaches retrieval or the model.

Questions are trimmed, stripped of control and direction-override characters and limited in length;
history must be a list of [user, assistant] pairs and is cut to its most recent turns. It does not
judge what a question is about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from assistant.errors import InvalidQuestion

MAX_TURNS = 6
MAX_TURN_CHARS = 2000
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

Turn = tuple[str, str]


def clean_question(question: object, *, max_chars: int) -> str:
    """The question as the engine will use it, or InvalidQuestion saying what is wrong."""
    if not isinstance(question, str):
        raise InvalidQuestion("The question must be text.")
    text = _clean_text(question)
    if not text:
        raise InvalidQuestion("Please type a question.")
    if len(text) > max_chars:
        raise InvalidQuestion(f"Questions are limited to {max_chars:,} characters; this one has {len(text):,}.")
    return text


def clean_history(history: object) -> list[Turn]:
    """The most recent MAX_TURNS [user, assistant] pairs, cleaned and cut to MAX_TURN_CHARS each."""
    if history is None:
        return []
    if not isinstance(history, Sequence) or isinstance(history, str):
        raise InvalidQuestion("History must be a list of [question, answer] pairs.")
    turns = []
    for pair in list(history)[-MAX_TURNS:]:
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise InvalidQuestion("Each history item must be a [question, answer] pair.")
        user, assistant = (_clean_text(x)[:MAX_TURN_CHARS] if isinstance(x, str) else "" for x in pair)
        if user:
            turns.append((user, assistant))
    return turns


def _clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"[ \t]+", " ", text).strip()
