"""Passage, Citation, Answer: the contract between the engine and every front end.

Front ends (the Gradio page, the API, the evaluator) only format these; none of them parses text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk of an article: `score` ranks (higher is better), `similarity` is its cosine
    similarity to the question (what decides that nothing relevant was found)."""

    text: str
    source_id: str
    title: str
    score: float
    similarity: float = 0.0
    chunk_id: str = ""
    chunk_index: int = 0
    outlet: str = ""
    author: str = ""
    published_at: str = ""
    url: str = ""

    @property
    def heading(self) -> str:
        """Its article's title and byline as the model reads them above it ("Title. Author, Outlet.");
        what a sentence citing this passage may draw on besides its text."""
        byline = ", ".join(x for x in (self.author, self.outlet) if x)
        return f"{self.title}. {byline}." if byline else f"{self.title}."

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        """The inverse of `to_dict`."""
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by the API."""
        return {
            "source_id": self.source_id,
            "title": self.title,
            "text": self.text,
            "score": round(self.score, 4),
            "similarity": round(self.similarity, 4),
            "chunk_id": self.chunk_id,
            "chunk_index": self.chunk_index,
            "outlet": self.outlet,
            "author": self.author,
            "published_at": self.published_at,
            "url": self.url,
        }


@dataclass(frozen=True)
class Citation:
    """Marker `[n]` in an answer: passage n (1-based, as numbered in the prompt), the answer sentence it
    backs, how sure the verifier was (`support`) and the passage sentence that settled it (`evidence`)."""

    n: int
    passage: Passage
    sentence: str = ""
    support: float = 0.0
    evidence: str = ""  # the sentence of the passage that verified `sentence` (highlighted on the page)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by the API."""
        return {
            "n": self.n,
            "source_id": self.passage.source_id,
            "title": self.passage.title,
            "passage": self.passage.text,
            "score": round(self.passage.score, 4),
            "outlet": self.passage.outlet,
            "author": self.passage.author,
            "sentence": self.sentence,
            "evidence": self.evidence,
            "support": round(self.support, 4),
        }


@dataclass(frozen=True)
class Decline:
    """Why a question was declined: a short `code` the evaluations count, and a sentence for a person."""

    code: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form used by the API."""
        return {"code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class Answer:
    """What the engine returns for one question. `excerpts[i]` is what the model read of `passages[i]`
    (its chosen sentences); `decline_reason` says why when `refused` (the first decline signal that
    fired); `signals` are all that fired."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    refused: bool = False
    standalone_question: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    decline_reason: Decline | None = None
    excerpts: list[str] = field(default_factory=list)
    signals: tuple[str, ...] = ()  # every decline signal that fired (assistant/grounding/decision.py), in order
    verdict: str = ""  # a verified verdict: "yes" / "no" for a yes/no question, the outlet or author for "who said X"
    hedged: bool = False  # evidence shown, no verdict: the articles did not settle the question

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """The inverse of `to_dict` (citations point into the passages by their number)."""
        passages = [Passage.from_dict(p) for p in data.get("passages", [])]
        citations = [
            Citation(c["n"], passages[c["n"] - 1], c.get("sentence", ""), c.get("support", 0.0), c.get("evidence", ""))
            for c in data.get("citations", [])
            if 1 <= c.get("n", 0) <= len(passages)
        ]
        reason = data.get("decline_reason")
        return cls(
            text=data.get("answer", ""),
            citations=citations,
            passages=passages,
            refused=bool(data.get("refused", False)),
            standalone_question=data.get("standalone_question", ""),
            timings=dict(data.get("timings", {})),
            decline_reason=Decline(reason["code"], reason["reason"]) if isinstance(reason, dict) else None,
            excerpts=[str(e) for e in data.get("excerpts", [])],
            signals=tuple(str(s) for s in data.get("signals", [])),
            verdict=str(data.get("verdict", "")),
            hedged=bool(data.get("hedged", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        """`{"answer", "refused", "verdict", "hedged", "decline_reason", "signals", "citations", "passages",
        "excerpts", "standalone_question", "timings"}`."""
        return {
            "answer": self.text,
            "refused": self.refused,
            "verdict": self.verdict,
            "hedged": self.hedged,
            "decline_reason": self.decline_reason.to_dict() if self.decline_reason else None,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "excerpts": list(self.excerpts),
            "signals": list(self.signals),
            "standalone_question": self.standalone_question,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }
