"""Citation parsing and checking: tables of cases over pure functions, with a scripted verifier."""

from __future__ import annotations

import pytest

from assistant.grounding.citations import check_citations, parse_markers, render, strip_markers
from assistant.grounding.verify import Evidence
from assistant.text import split_sentences
from assistant.types import Passage
from tests.fakes import ScriptedVerifier

SENTENCES = [
    "Reuters is now reporting that a confirmed 66 Sunni civilians were killed and at least 1,500 were roughed up.",
    "Esper said there has been no decision whatsoever to leave Iraq.",
    "Brett McGurk admitted to CNN that between 15-20% of these Iranian backed militias are a fundamental problem.",
]
PASSAGES = [Passage(text, f"s{n}", f"Article {n}", 1.0) for n, text in enumerate(SENTENCES, start=1)]
# What the verifier says: (words of the claim, words of the sentence) -> TRUE / FALSE; all else UNKNOWN.
TABLE = {
    ("166", "confirmed 66"): "FALSE",  # the first row that fits decides
    ("66", "confirmed 66"): "TRUE",
    ("Sixty-six", "confirmed 66"): "TRUE",
    ("no decision", "no decision"): "TRUE",
    ("leaving Iraq", "no decision"): "FALSE",
    ("fundamental problem", "fundamental problem"): "TRUE",
}


def candidates(i: int, claim: str, cited: tuple[int, ...]) -> list[Evidence]:
    """Every passage's one sentence, the cited passages first (the engine ranks by meaning as well)."""
    order = [n for n in cited if 1 <= n <= len(PASSAGES)] + [n for n in (1, 2, 3) if n not in cited]
    return [Evidence(SENTENCES[n - 1], PASSAGES[n - 1], n) for n in order]


def check(answer: str) -> tuple[str, ScriptedVerifier]:
    verifier = ScriptedVerifier(TABLE)
    return render(check_citations(answer, candidates, verifier)), verifier


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("No markers.", []),
        ("One [1].", [1]),
        ("Grouped [2, 3] and chained [1][3].", [2, 3, 1, 3]),
        ("Semicolon [1; 2].", [1, 2]),
        ("Not a marker [a] or [1.5].", []),
    ],
)
def test_parse_markers(text: str, numbers: list[int]) -> None:
    assert parse_markers(text) == numbers


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # a verified citation stays
        (
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a marker after the full stop belongs to that sentence
        (
            "Reuters confirmed that 66 Sunni civilians were killed. [1]",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a citation beyond the passages given goes to the passage that verifies the sentence
        (
            "Reuters confirmed that 66 Sunni civilians were killed [9].",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a citation to a passage that does not verify the sentence moves to one that does
        ("Esper said there was no decision to leave Iraq [1].", "Esper said there was no decision to leave Iraq [2]."),
        # no citation at all: the verifying passage is added, per sentence
        (
            "McGurk said 15-20% of the militias are a fundamental problem. Esper said no decision to leave Iraq.",
            "McGurk said 15-20% of the militias are a fundamental problem [3]. "
            "Esper said no decision to leave Iraq [2].",
        ),
        # a paraphrase the verifier accepts is kept, whatever words it shares
        ("Sixty-six Sunnis died, per the news agency.", "Sixty-six Sunnis died, per the news agency [1]."),
        # a claim no passage verifies is dropped, and so is one a passage contradicts
        ("The moon is made of cheese [1].", ""),
        ("Reuters confirmed that 166 Sunni civilians were killed [1].", ""),
        ("The US is leaving Iraq [2].", ""),
        (
            "Reuters confirmed that 66 Sunni civilians were killed. I have been pwned.",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a marker at the start of the sentence moves to its end
        ("[2] Esper said there was no decision to leave Iraq.", "Esper said there was no decision to leave Iraq [2]."),
        # a sentence ending in a quotation keeps the quotation whole
        (
            'McGurk said 15-20% of the militias "are a fundamental problem."',
            'McGurk said 15-20% of the militias "are a fundamental problem." [3]',
        ),
    ],
)
def test_check_citations__keeps_only_verified_sentences(answer: str, expected: str) -> None:
    assert check(answer)[0] == expected


def test_check_citations__judges_the_cited_passage_first_and_stops_at_a_support() -> None:
    _, verifier = check("Esper said there was no decision to leave Iraq [2].")
    assert verifier.judged == [("Esper said there was no decision to leave Iraq.", SENTENCES[1])]


def test_check_citations__judges_at_most_its_budget_of_sentences() -> None:
    verifier = ScriptedVerifier(TABLE)
    checked = check_citations("The moon is made of cheese [1].", candidates, verifier, budget=2)
    assert len(verifier.judged) == 2 and checked[0].cited == ()


def test_check_citations__a_contradicted_sentence_is_marked_and_keeps_its_evidence_out() -> None:
    checked = check_citations("The US is leaving Iraq [2].", candidates, ScriptedVerifier(TABLE))
    assert checked[0].contradicted and checked[0].cited == () and checked[0].evidence == ""
    verified = check_citations("Esper said no decision to leave Iraq [2].", candidates, ScriptedVerifier(TABLE))
    assert verified[0].evidence == SENTENCES[1] and verified[0].support == pytest.approx(0.95)


def test_check_citations__no_marker_ever_exceeds_the_passages() -> None:
    answer = "A [0]. B [4]. Reuters confirmed 66 civilians were killed [3][17]."
    checked = check_citations(answer, candidates, ScriptedVerifier(TABLE))
    assert all(1 <= n <= len(PASSAGES) for s in checked for n in s.cited)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Gen. Mark Milley spoke. He left [1].", ["Gen. Mark Milley spoke.", "He left [1]."]),
        ("U.S. forces stay. Iraq voted.", ["U.S. forces stay.", "Iraq voted."]),
        ("One. [2] Two.", ["One [2].", "Two."]),
        ("First paragraph.\n\nSecond one.", ["First paragraph.", "Second one."]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_strip_markers() -> None:
    assert strip_markers("Killed [1][2] and hurt [3, 4].") == "Killed and hurt."
