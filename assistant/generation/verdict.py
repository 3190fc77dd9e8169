"""Yes/no and "who reported it" answers written from verified evidence, never from the model's verdict.

A question is split into claims, "WHO | CLAIM": by its grammar where it reads "Did X report that …" or
"Which outlet reported that …", else by the model (`prompts/claims.txt`). Each claim is judged by the
verifier against the closest sentences of the passages (of WHO's articles when WHO is an indexed outlet
or author), and the code decides: **yes** when every claim is verified and no judged sentence leans
against it; **no** when one is contradicted, or was verified only in another outlet's articles than the
one named; for "who reported it", the outlet or author of the article whose sentence verifies the claim,
and for "who said it", the person the verifier confirms among those the sentence names. Anything else
is a hedge that shows the closest evidence. It does not reason about dates ("before", "after") or
compare two claims with each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.grounding.verify import Evidence, Judgement, Verifier, settle, verdict
from assistant.text import names
from assistant.types import Citation, Passage

#: Passage sentences judged for one claim (one forward pass each), before a claim is left unsettled.
BUDGET = 3
MAX_CLAIMS = 3
HEDGE = "The articles do not settle this."

_LINE = re.compile(r"^\s*[-*•]?\s*([^|\n]{0,80}?)\s*\|\s*(.+?)\s*$")
_NONE = frozenset({"", "-", "none", "n/a"})
_OPTIONS = re.compile(r",?\s+(?:either\s+)?([^,?]{2,60}?)\s+or\s+([^,?]{2,60}?)\s*\?\s*$")
_PUBLISHED = r"report(?:ed|s)?|publish(?:ed|es)|cover(?:ed|s)"
_SAID = r"sa(?:id|ys)|told\s+[\w.'’ -]{1,30}?|f(?:ound|inds)|claim(?:ed|s)|stat(?:ed|es)|announc(?:ed|es)"
# "Which outlet reported (that) X(, A or B)?"; "Who said 'X'?", "Who told Congress that X?": a verb of saying
# takes "that" or a quotation ("Who wrote the letter?" asks about the story, not about who reported it).
_WHO_ASKED = re.compile(
    rf"^\W*(?:who|which\s+[\w .'’-]{{1,40}}?)\s+(?:(?P<verb>{_PUBLISHED})\s+(?:that\s+)?"
    rf"|(?:(?P<wrote>wr(?:ote|ites))|(?P<said>{_SAID}))\s+(?:that\s+|(?=[\"'“‘])))(?P<claim>.+?)\s*\?\s*$",
    re.IGNORECASE,
)
# "Did X report that Y?", "Does X say Y?"
_WHO_NAMED = re.compile(
    r"^\W*(?i:did|does|do|has|have)\s+(?P<who>[A-Z][^?]{1,60}?)\s+(?P<verb>report|say|write|publish|state|claim|find"
    r"|tell\s+[\w.'’ -]{1,30}?|announce|warn)\s+(?:that\s+)?(?P<claim>.+?)\s*\?\s*$"
)
_ASKS_WHO = re.compile(r"^\W*(who|which)\b", re.IGNORECASE)
_AUTHOR = re.compile(r"^\W*(who\s+(wrote|writes)|which\s+(author|journalist|reporter|writer))\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One statement a question asks about, and who it says made it ("" none, "?" the question asks)."""

    who: str
    text: str
    said: bool = False  # "who said it" (a person the sentence names), not "who reported it" (its publisher)
    question: bool = False  # `text` is a yes/no question, judged as one (`Verifier.answer`)
    asked: str = ""  # the question it was read from: judged instead when WHO is no indexed outlet or author


@dataclass(frozen=True)
class Settled:
    """A claim, how it ended ('supports', 'contradicts', 'elsewhere' or 'unknown'), the judgement that
    settled it and the closest evidence seen."""

    claim: Claim
    outcome: str
    judgement: Judgement | None
    closest: Evidence | None


@dataclass(frozen=True)
class Written:
    """The reply: its text, citations and passages, the verdict ("" for a hedge) and whether it hedges."""

    text: str
    citations: list[Citation]
    passages: list[Passage]
    verdict: str
    hedged: bool


#: Ranked evidence sentences for a claim; `who` (an outlet or author, or "") restricts them to its articles.
Finder = Callable[[str, str], list[Evidence]]


def asks_who_reported(question: str) -> bool:
    """True when `question` asks which outlet, author or person reported or said something."""
    return bool(_WHO_ASKED.search(question))


def options(question: str) -> list[str]:
    """The alternatives a question offers at its end ("…, Jason Ditz or Jack Phillips?")."""
    found = _OPTIONS.search(question)
    return [found.group(1).strip(), found.group(2).strip()] if found else []


def read_claim(question: str) -> Claim | None:
    """The claim of "Did X report that Y?" or "Which outlet reported that Y?" read from the question's
    grammar (options at its end removed); None for any other question."""
    offered = _OPTIONS.search(question)
    plain = question[: offered.start()] + "?" if offered else question
    asked = _WHO_ASKED.match(plain)
    if asked and len(asked.group("claim").split()) >= 2:
        return Claim("?", _sentence(asked.group("claim")), said=asked.group("said") is not None)
    named = _WHO_NAMED.match(plain)
    if named and len(named.group("claim").split()) >= 2:
        return Claim(named.group("who").strip(), _sentence(named.group("claim")), asked=question)
    return None


def parse_claims(reply: str, question: str) -> list[Claim]:
    """The "WHO | CLAIM" lines of the model's reply (at most MAX_CLAIMS, none that is only a name the
    question offers); the question itself when none parse."""
    offered = {o.casefold() for o in options(question)}
    claims = []
    for line in reply.splitlines():
        found = _LINE.match(line)
        if found and len(found.group(2).split()) >= 3 and found.group(2).strip(" .").casefold() not in offered:
            who = found.group(1).strip().strip("\"'")
            claims.append(Claim("" if who.casefold() in _NONE else who, found.group(2)))
    return claims[:MAX_CLAIMS] or [Claim("?" if _ASKS_WHO.match(question) else "", question)]


def settle_claim(
    claim: Claim, verifier: Verifier, find: Finder, *, source: Callable[[str], str], budget: int = BUDGET
) -> Settled:
    """Judge `claim` against the `budget` closest sentences: WHO's articles' when `source(who)` names an
    indexed outlet or author (then, unverified there, the others': verified there is 'elsewhere'); else
    all articles'. A claim whose WHO is someone else (a person) is judged as the question it was read from,
    or else as "According to WHO, …"."""
    named = source(claim.who) if claim.who not in ("", "?") else ""
    if claim.who not in ("", "?") and not named:
        claim = (
            Claim("", claim.asked, question=True)
            if claim.asked
            else Claim("", f"According to {claim.who}, {claim.text}")
        )
    text, question = claim.text, claim.question
    candidates = find(text, named)
    judged = settle(verifier, text, candidates, budget=budget, until_support=False, question=question)
    closest = candidates[0] if candidates else None
    if claim.who == "?":  # the claim is taken as reported: which article states it best?
        best = _attributed(judged, verifier.attribute)
        return Settled(claim, "supports" if best else "unknown", best, closest)
    outcome, judgement = verdict(verifier, judged, doubt=verifier.doubt)
    if outcome == "unknown" and named:
        others = [e for e in find(text, "") if named not in (e.passage.outlet, e.passage.author)]
        found, elsewhere = verdict(
            verifier, settle(verifier, text, others, budget=budget, question=question), doubt=verifier.doubt
        )
        if found == "supports":
            return Settled(claim, "elsewhere", elsewhere, closest)
        closest = closest or (others[0] if others else None)
    return Settled(claim, outcome, judgement, closest)


def _attributed(judged: Sequence[Judgement], bar: float) -> Judgement | None:
    """The most confident judgement, when it reaches `bar` and beats every sentence of another outlet."""
    best = max(judged, key=lambda j: j.supports, default=None)
    if best is None or best.supports < bar:
        return None
    outlet = best.evidence.passage.outlet
    return best if all(j.supports < best.supports for j in judged if j.evidence.passage.outlet != outlet) else None


def yes_or_no(settled: Sequence[Settled]) -> Written:
    """Yes when every claim is verified, no when one is contradicted or was reported elsewhere, else a hedge."""
    refuting = [s for s in settled if s.outcome in ("contradicts", "elsewhere")]
    if refuting:
        return _write("No.", refuting, "no")
    if settled and all(s.outcome == "supports" for s in settled):
        return _write("Yes.", settled, "yes")
    return _hedge(settled)


def who_reported(settled: Sequence[Settled], question: str, verifier: Verifier) -> Written:
    """Who reported (the publisher) or said (a person the verifier confirms) the verified claim; one of
    the question's options when it offers some; else a hedge."""
    asked = [s for s in settled if s.claim.who == "?"] or list(settled)
    found = next((s for s in asked if s.outcome == "supports" and s.judgement is not None), None)
    if found is None or found.judgement is None:
        return _hedge(asked)
    evidence = found.judgement.evidence
    name = _answer_name(found.claim, evidence, question, verifier)
    if not name:
        return _hedge(asked)
    passage = evidence.passage
    parts = [passage.outlet if passage.outlet != name else "", passage.author if passage.author != name else ""]
    byline = ", ".join(p for p in (parts[0], f"by {parts[1]}" if parts[1] else "") if p)
    head = f"{name}. “{passage.title}”" + (f" ({byline}):" if byline else ":")
    return _write(head, [found], name, quote_only=True)


def _answer_name(claim: Claim, evidence: Evidence, question: str, verifier: Verifier) -> str:
    """The publisher (outlet, or the author for an author's name) of the verifying article, or for "who
    said it" the person the verifier confirms as saying the claim; one of the question's options when it
    offers some."""
    offered = options(question)
    passage = evidence.passage
    publishers = [n for n in (passage.outlet, passage.author) if n]
    if _AUTHOR.search(question):
        publishers.reverse()  # "who wrote that …": the author first
    if offered:
        fits = [o for o in offered if any(_same(o, p) for p in publishers)]
        if len(fits) == 1 and not claim.said:
            return fits[0]
        candidates = offered
    elif not claim.said:
        return publishers[0] if publishers else ""
    else:
        candidates = [n for n in _people(evidence.sentence) if n.casefold() not in claim.text.casefold()]
    judged = [(verifier.judge(f"{c} said that {claim.text}", evidence).supports, c) for c in candidates]
    confirmed = [(len(c.split()), p, c) for p, c in judged if p >= verifier.support]
    return max(confirmed)[2] if confirmed else ""  # the fullest name confirmed, then the surest


def _people(sentence: str) -> list[str]:
    """Runs of capitalised words in `sentence` that hold one of its names (people, agencies, outlets), in
    the order they appear."""
    found = re.findall(r"(?:[A-Z][\w.'’-]+\s+){0,5}[A-Z][\w.'’-]+", sentence)
    named = set(names(sentence))
    return [f for f in dict.fromkeys(found) if any(word in named for word in f.split())]


def _same(option: str, name: str) -> bool:
    a, b = option.casefold().removeprefix("the ").strip(), name.casefold().removeprefix("the ").strip()
    return bool(a and b) and (a == b or a in b or b in a)


def _sentence(text: str) -> str:
    """A claim as a sentence: capitalised, with a full stop."""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def _hedge(settled: Sequence[Settled]) -> Written:
    closest = [s for s in settled if s.closest is not None]
    if not closest:
        return Written(HEDGE, [], [], "", True)
    return replace(_write(f"{HEDGE} The closest they come:", closest, "", use_closest=True), hedged=True)


def _write(
    head: str, settled: Sequence[Settled], verdict_: str, *, quote_only: bool = False, use_closest: bool = False
) -> Written:
    """`head`, then each claim's deciding sentence quoted with its outlet and a citation."""
    passages: list[Passage] = []
    citations: list[Citation] = []
    lines = [head]
    for item in settled:
        evidence = item.closest if use_closest or item.judgement is None else item.judgement.evidence
        if evidence is None:
            continue
        if evidence.passage not in passages:
            passages.append(evidence.passage)
        n = passages.index(evidence.passage) + 1
        who = evidence.passage.outlet or f"“{evidence.passage.title}”"
        lead = "" if quote_only else f"{who} reports: "
        if item.outcome == "elsewhere" and not use_closest:
            lead = f"It was {who} that reported it, not {item.claim.who}: "
        line = f"{lead}“{evidence.sentence.strip()}” [{n}]"
        lines.append(line)
        support = item.judgement.supports if item.judgement is not None and not use_closest else 0.0
        if all(c.n != n for c in citations):
            citations.append(Citation(n, evidence.passage, line, support, evidence.sentence.strip()))
    return Written(" ".join(lines), sorted(citations, key=lambda c: c.n), passages, verdict_, False)
