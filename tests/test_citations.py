"""Citation parsing and checking: a table of cases over pure functions."""

from __future__ import annotations

import pytest

from assistant.grounding.citations import check_citations, parse_markers, render, strip_markers
from assistant.text import split_sentences

PASSAGES = [
    "Reuters is now reporting that a confirmed 66 Sunni civilians were killed and at least 1,500 were roughed up.",
    "Esper said there has been no decision whatsoever to leave Iraq.",
    "Brett McGurk admitted to CNN that between 15-20% of these Iranian backed militias are a fundamental problem.",
]


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
        # a correct citation stays
        (
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a marker after the full stop belongs to that sentence
        (
            "Reuters confirmed that 66 Sunni civilians were killed. [1]",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a citation beyond the passages given is removed and the sentence re-attributed
        (
            "Reuters confirmed that 66 Sunni civilians were killed [9].",
            "Reuters confirmed that 66 Sunni civilians were killed [1].",
        ),
        # a citation to a passage that does not support the sentence is moved to one that does
        ("Esper said there was no decision to leave Iraq [1].", "Esper said there was no decision to leave Iraq [2]."),
        # no citation at all: the best supporting passage is added, per sentence
        (
            "McGurk said 15-20% of the militias are a fundamental problem. Esper said no decision to leave Iraq.",
            "McGurk said 15-20% of the militias are a fundamental problem [3]. "
            "Esper said no decision to leave Iraq [2].",
        ),
        # a claim no passage supports is dropped from the answer
        ("The moon is made of cheese [1].", ""),
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
        # a sentence joining two passages' figures, cited to one of them, goes to both
        (
            "[1] 66 Sunni civilians were killed, while McGurk called 15-20% of the militias a problem.",
            "66 Sunni civilians were killed, while McGurk called 15-20% of the militias a problem [1][3].",
        ),
        # ... but not when a figure is in neither
        ("66 Sunni civilians were killed, while McGurk called 40% of the militias a problem [1].", ""),
        # several valid supporting citations are all kept
        (
            "Militias were a problem and 66 Sunni civilians were killed [1][3].",
            "Militias were a problem and 66 Sunni civilians were killed [1][3].",
        ),
    ],
)
def test_check_citations__fixes_markers(answer: str, expected: str) -> None:
    assert render(check_citations(answer, PASSAGES)) == expected


def test_check_citations__no_marker_ever_exceeds_the_passages() -> None:
    answer = "A [0]. B [4]. Reuters confirmed 66 civilians were killed [3][17]."
    checked = check_citations(answer, PASSAGES)
    assert all(1 <= n <= len(PASSAGES) for s in checked for n in s.cited)


def test_check_citations__embedding_similarity_can_carry_a_paraphrase() -> None:
    """Known answer: "sixty-six" shares few words with passage 1, but a high cosine (0.9) supports it."""
    answer = "Sixty-six Sunnis died, per the news agency."
    without = check_citations(answer, PASSAGES)
    with_similarity = check_citations(answer, PASSAGES, similarity=[[0.9, 0.1, 0.1]])
    assert without[0].cited == ()
    assert with_similarity[0].cited == (1,)


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


def test_check_citations__a_number_the_passage_lacks_is_never_supported() -> None:
    checked = check_citations("The US spent $1.5 billion on the Sunni civilians [1].", PASSAGES)
    assert checked[0].cited == ()


def test_check_citations__a_sentence_that_only_repeats_the_question_is_not_sourced() -> None:
    question = "What is the name of the spokesman quoted by Reuters about Sunni civilians?"
    checked = check_citations(
        "The name of the spokesman quoted by Reuters about Sunni civilians is [1].", PASSAGES, question=question
    )
    assert checked[0].cited == ()


def test_check_citations__a_name_neither_the_passage_nor_the_question_holds_is_never_supported() -> None:
    invented = check_citations("Brett McGurk admitted the problem to CNN in Baghdad [3].", PASSAGES)
    assert invented[0].cited == ()  # "Baghdad" is in no passage
    stated = check_citations("Brett McGurk admitted the problem to CNN [3].", PASSAGES)
    assert stated[0].cited == (3,)
    question = "What did Obama's envoy Brett McGurk admit to CNN?"
    from_question = check_citations(
        "Obama's envoy Brett McGurk admitted to CNN that 15-20% of militias are a problem [3].",
        PASSAGES,
        question=question,
    )
    assert from_question[0].cited == (3,)  # "Obama" comes from the question


def test_check_citations__a_yes_that_restates_the_question_is_sourced_by_its_passage() -> None:
    question = "Did Reuters confirm that Sunni civilians were killed?"
    checked = check_citations(
        "Yes, Reuters did confirm that Sunni civilians were killed [1].", PASSAGES, question=question
    )
    assert checked[0].cited == (1,)
    restated = check_citations("Reuters did confirm that Sunni civilians were killed [1].", PASSAGES, question=question)
    assert restated[0].cited == ()  # without the answer word it only repeats the question
