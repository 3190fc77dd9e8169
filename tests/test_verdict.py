"""Yes/no and who-reported verdicts from verified evidence: the claim reading is a table over questions,
the decisions run on a scripted verifier (a table of what it says) and a finder over fixed sentences."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.generation.verdict import (
    HEDGE,
    Claim,
    asks_who_reported,
    options,
    parse_claims,
    read_claim,
    settle_claim,
    who_reported,
    yes_or_no,
)
from assistant.grounding.verify import Evidence
from assistant.types import Passage
from tests.fakes import ScriptedVerifier

DITZ = Passage("", "a", "Militias Bigger Than Reported", 1.0, outlet="Antiwar.com", author="Jason Ditz")
PHILLIPS = Passage("", "b", "Coalition Halts Training", 1.0, outlet="The Epoch Times", author="Jack Phillips")
SENTENCES = {
    "killed": Evidence("Reuters is now reporting that a confirmed 66 Sunni civilians were killed.", DITZ),
    "leaving": Evidence("Esper stressed they're not leaving the country.", PHILLIPS),
    "reports": Evidence("There were reports Monday claiming that the United States would pull out of Iraq.", PHILLIPS),
    "draft": Evidence("Gen. Mark Milley told reporters: 'That letter is a draft, it was a mistake.'", PHILLIPS),
}
TABLE = {
    ("66 Sunni", "confirmed 66"): "TRUE",
    ("Mark Milley said", "letter is a draft"): "TRUE",
    ("letter is a draft", "letter is a draft"): "TRUE",
    ("leaving Iraq", "not leaving"): "FALSE",
    ("leaving Iraq", "pull out of Iraq"): "TRUE",  # the sentence reports a claim it goes on to deny
    ("pausing training", "not leaving"): "UNKNOWN",
}


def find(text: str, who: str) -> list[Evidence]:
    """The sentences (WHO's only when given), those sharing most words with `text` first (the engine ranks
    them by meaning)."""
    words = set(text.lower().split())
    found = [e for e in SENTENCES.values() if not who or who in (e.passage.outlet, e.passage.author)]
    return sorted(found, key=lambda e: -len(words & set(e.sentence.lower().split())))


def source(who: str) -> str:
    return next((n for e in SENTENCES.values() for n in (e.passage.outlet, e.passage.author) if n == who), "")


@pytest.mark.parametrize(
    ("question", "claim"),
    [
        (
            "Did Reuters report that 66 Sunni civilians were killed?",
            Claim("Reuters", "66 Sunni civilians were killed."),
        ),
        ("Does Antiwar.com say the capture was a success?", Claim("Antiwar.com", "The capture was a success.")),
        ("Which outlet reported that 66 were killed, Antiwar.com or CNN?", Claim("?", "66 were killed.")),
        ("Who wrote that the militias are bigger?", Claim("?", "The militias are bigger.")),
        ("Who said 'That letter is a draft'?", Claim("?", "'That letter is a draft'.", said=True)),
        ("Who told Congress that 500 troops were killed?", Claim("?", "500 troops were killed.", said=True)),
        (
            "Which news agency found that militias killed civilians?",
            Claim("?", "Militias killed civilians.", said=True),
        ),
        # not read by grammar: the model splits these
        ("Is the US leaving Iraq?", None),
        ("Who wrote the leaked letter?", None),  # about the story, not about who reported it
        ("Did the Pentagon press office post on Twitter?", None),
    ],
)
def test_read_claim(question: str, claim: Claim | None) -> None:
    read = read_claim(question)
    assert (replace(read, asked="") if read else None) == claim
    assert read is None or read.asked == (question if read.who != "?" else "")
    assert asks_who_reported(question) == (claim is not None and claim.who == "?")


def test_options__the_alternatives_at_the_end() -> None:
    assert options("Who reported it, Jason Ditz or Jack Phillips?") == ["Jason Ditz", "Jack Phillips"]
    assert options("Is the US leaving Iraq?") == []


def test_parse_claims__lines_of_who_and_claim_else_the_question() -> None:
    reply = "The Verge | Apple sold more phones.\n- | Prices rose in May.\nJason Ditz\nnonsense"
    assert parse_claims(reply, "q?") == [
        Claim("The Verge", "Apple sold more phones."),
        Claim("", "Prices rose in May."),
    ]
    assert parse_claims("? | Jason Ditz", "Who said it, Jason Ditz or Jack Phillips?") == [
        Claim("?", "Who said it, Jason Ditz or Jack Phillips?")
    ]  # an option is no claim: the question itself is judged


def _settle(claim: Claim, verifier: ScriptedVerifier | None = None) -> tuple[str, str]:
    verifier = verifier or ScriptedVerifier(TABLE)
    settled = settle_claim(claim, verifier, find, source=source)
    return settled.outcome, settled.judgement.evidence.sentence if settled.judgement else ""


def test_settle_claim__verified_stated_contradicted_or_unsettled() -> None:
    assert _settle(Claim("", "66 Sunni civilians were killed.")) == ("supports", SENTENCES["killed"].sentence)
    assert _settle(Claim("", "The coalition is pausing training.")) == ("unknown", "")


def test_settle_claim__a_support_is_withheld_when_another_sentence_leans_against_it() -> None:
    """Known answer: 'reports claiming the US would pull out' reads as TRUE for 'the US is leaving Iraq',
    but 'not leaving the country' leans FALSE: no verdict, and the contradiction alone is not enough
    to say no either while a sentence supports it."""
    assert _settle(Claim("", "The US is leaving Iraq."))[0] == "unknown"


def test_settle_claim__a_claim_verified_only_in_another_outlets_articles_is_elsewhere() -> None:
    verifier = ScriptedVerifier(TABLE)
    outcome, sentence = _settle(Claim("The Epoch Times", "66 Sunni civilians were killed."), verifier)
    assert (outcome, sentence) == ("elsewhere", SENTENCES["killed"].sentence)
    assert verifier.judged[0][1] in {e.sentence for e in find("", "The Epoch Times")}  # its own articles first


def test_yes_or_no__every_claim_verified_is_yes_one_refuted_is_no_else_a_hedge() -> None:
    verifier = ScriptedVerifier(TABLE)

    def decide(*claims: Claim) -> tuple[str, bool, str]:
        written = yes_or_no([settle_claim(c, verifier, find, source=source) for c in claims])
        return written.verdict, written.hedged, written.text

    verdict, hedged, text = decide(Claim("", "66 Sunni civilians were killed."))
    assert (
        (verdict, hedged) == ("yes", False) and text.startswith("Yes. Antiwar.com reports: “Reuters") and "[1]" in text
    )
    assert decide(Claim("The Epoch Times", "66 Sunni civilians were killed."))[:2] == ("no", False)
    verdict, hedged, text = decide(Claim("", "The coalition is pausing training."))
    assert (verdict, hedged) == ("", True) and text.startswith(HEDGE) and "[1]" in text  # the closest evidence


def test_who_reported__the_publisher_an_offered_option_or_the_person_the_verifier_confirms() -> None:
    verifier = ScriptedVerifier(TABLE)

    def answer(question: str) -> str:
        claim = read_claim(question)
        assert claim is not None
        return who_reported([settle_claim(claim, verifier, find, source=source)], question, verifier).verdict

    assert answer("Which outlet reported that 66 Sunni civilians were killed?") == "Antiwar.com"
    assert answer("Who reported that 66 Sunni civilians were killed, Jack Phillips or Jason Ditz?") == "Jason Ditz"
    assert answer("Who said 'That letter is a draft'?") == "Gen. Mark Milley"
    assert answer("Which outlet reported that the coalition is pausing training?") == ""  # unsettled: a hedge


def test_who_reported__the_head_names_the_byline_without_repeating_the_answer() -> None:
    verifier = ScriptedVerifier(TABLE)
    for question, head in [
        (
            "Which outlet reported that 66 Sunni civilians were killed?",
            "Antiwar.com. “Militias Bigger Than Reported” (by Jason Ditz):",
        ),
        (
            "Who wrote that 66 Sunni civilians were killed?",
            "Jason Ditz. “Militias Bigger Than Reported” (Antiwar.com):",
        ),
    ]:
        claim = read_claim(question)
        assert claim is not None
        written = who_reported([settle_claim(claim, verifier, find, source=source)], question, verifier)
        assert written.text.startswith(head), written.text
