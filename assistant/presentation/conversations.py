"""A reader's conversations as the browser keeps them: pure functions over one JSON value.

The value is `{"current": id or None, "items": [conversation, …]}`, newest first; a conversation is
`{"id", "title", "updated", "turns"}` and a turn `{"question", "answer"}` (an `Answer.to_dict()`).
It comes back from the browser, so `normalise` keeps only what has this shape (an answer must load
with `Answer.from_dict`); every function returns a new value. The title is the first question, cut
at a word; a rename replaces it. Old conversations are dropped beyond MAX_CONVERSATIONS or when the
whole would outgrow what a browser's storage holds (MAX_CHARS of JSON).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from assistant.types import Answer

MAX_CONVERSATIONS = 50
MAX_TURNS = 20  # per conversation
MAX_CHARS = 1_500_000  # JSON kept in the browser (its storage holds about 5 MB per site)
TITLE_CHARS = 60

State = dict[str, Any]
EMPTY: State = {"current": None, "items": []}


def normalise(state: object) -> State:
    """The saved state with every malformed part dropped."""
    items: dict[str, dict[str, Any]] = {}
    raw = state.get("items") if isinstance(state, dict) else None
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"] or item["id"] in items:
            continue
        turns = valid_turns(item.get("turns"))
        if turns:
            title, updated = item.get("title"), item.get("updated")
            items[item["id"]] = {
                "id": item["id"],
                "title": title.strip()[:200] if isinstance(title, str) and title.strip() else _title(turns),
                "updated": updated if isinstance(updated, str) else "",
                "turns": turns,
            }
    ordered = sorted(items.values(), key=lambda c: str(c["updated"]), reverse=True)
    current = state.get("current") if isinstance(state, dict) else None
    return _capped({"current": current if current in items else None, "items": ordered})


def valid_turns(turns: object) -> list[dict[str, Any]]:
    """The turns that have the shape we save (the last MAX_TURNS); others are dropped."""
    if not isinstance(turns, list):
        return []
    kept = []
    for turn in turns[-MAX_TURNS:]:
        try:
            Answer.from_dict(turn["answer"])
            if isinstance(turn["question"], str) and isinstance(turn["answer"]["answer"], str):
                kept.append({"question": turn["question"], "answer": turn["answer"]})
        except (TypeError, KeyError, ValueError, IndexError, AttributeError):
            continue
    return kept


def current_turns(state: State) -> list[dict[str, Any]]:
    """The turns of the open conversation ([] for a new one)."""
    found = _find(state, state["current"])
    return list(found["turns"]) if found else []


def with_turns(state: State, turns: list[dict[str, Any]]) -> State:
    """The open conversation with these turns (started, titled and listed first when it is new; removed
    when `turns` is empty), marked as just updated."""
    items = [c for c in state["items"] if c["id"] != state["current"]]
    if not turns:
        return {"current": None, "items": items}
    found = _find(state, state["current"])
    conversation = {
        "id": found["id"] if found else _new_id(),
        "title": found["title"] if found else _title(turns),
        "updated": _now(),
        "turns": turns[-MAX_TURNS:],
    }
    return _capped({"current": conversation["id"], "items": [conversation, *items]})


def opened(state: State, conversation_id: object) -> State:
    """The state with this conversation open (unchanged when it is not listed)."""
    return {**state, "current": conversation_id} if _find(state, conversation_id) else state


def started(state: State) -> State:
    """A new, empty conversation open (it is listed once it has a question)."""
    return {**state, "current": None}


def renamed(state: State, title: object) -> State:
    """The open conversation under a new title (blank: its first question again)."""
    if not isinstance(title, str):
        return state
    items = [
        {**c, "title": title.strip()[:200] or _title(c["turns"])} if c["id"] == state["current"] else c
        for c in state["items"]
    ]
    return {**state, "items": items}


def deleted(state: State) -> State:
    """The state without the open conversation; a new one is open."""
    return {"current": None, "items": [c for c in state["items"] if c["id"] != state["current"]]}


def choices(state: State) -> list[tuple[str, str]]:
    """(label, id) of every conversation, newest first: its title and the day it was last used."""
    return [(f"{c['title']} · {c['updated'][:10]}" if c["updated"] else c["title"], c["id"]) for c in state["items"]]


def title_of(state: State) -> str:
    """The open conversation's title ('' for a new one)."""
    found = _find(state, state["current"])
    return found["title"] if found else ""


def _find(state: State, conversation_id: object) -> dict[str, Any] | None:
    return next((c for c in state["items"] if c["id"] == conversation_id), None)


def _title(turns: list[dict[str, Any]]) -> str:
    return title_for(turns[0]["question"])


def title_for(question: str) -> str:
    """A conversation's title from its first question: the question, cut at a word after TITLE_CHARS."""
    question = " ".join(question.split())
    if len(question) <= TITLE_CHARS:
        return question
    return question[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _capped(state: State) -> State:
    items = state["items"][:MAX_CONVERSATIONS]
    while len(items) > 1 and len(json.dumps(items)) > MAX_CHARS:
        items = items[:-1]
    known = {c["id"] for c in items}
    return {"current": state["current"] if state["current"] in known else None, "items": items}


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
