"""Deciding that the articles do not answer: missing names, declining replies, the decline text."""

from __future__ import annotations

import pytest

from assistant.grounding.answerable import (
    answer_part,
    answers_the_kind,
    decline_text,
    looks_like_refusal,
    missing_names,
)
from assistant.types import Passage

PASSAGES = [
    Passage(
        text="House Speaker Nancy Pelosi (D-Calif.) said Monday her caucus would vote on war powers.",
        source_id="a",
        title="US-Led Coalition Halts Training",
        score=0.5,
    ),
    Passage(
        text="Iraq’s parliament legalized Shi’ite militias; Obama’s envoy spoke to CNN in 2016.",
        source_id="b",
        title="Militias",
        score=0.4,
        outlet="Antiwar.com",
    ),
]


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Nancy Pelosi say about Bitcoin?", ["Bitcoin"]),
        ("What did Pelosi say on Monday?", []),
        ("Did Obama's envoy talk to CNN?", []),  # possessive and apostrophe styles differ
        ("Which Shiite militias were legalized?", []),  # "Shi’ite" in the text
        ("What did Antiwar.com report?", []),  # the outlet counts
        ("What happened in 2008 in Iraq?", ["2008"]),
        ("What did the envoy say in 2016?", []),
        ("Who is the president of Brazil?", ["Brazil"]),
        ("When did Iraq vote?", []),  # the first word is never a name
        ("Which Speakers did the Militias article quote?", []),  # plural of a name in the text
    ],
)
def test_missing_names(question: str, missing: list[str]) -> None:
    assert missing_names(question, PASSAGES) == missing


@pytest.mark.parametrize(
    ("reply", "refusal"),
    [
        ("The articles do not say.", True),
        ("The passages do not mention Bitcoin.", True),
        ("There is no information about that in the articles.", True),
        ("Reuters confirmed 66 deaths [1].", False),
        ("The articles do not say how many died, but 66 deaths were confirmed [1].", True),
        ("[1] 66 civilians were confirmed killed. [2] The article does not say.", False),
        ("The article does not say. It does not mention the date either.", True),
        (
            "Esper said the vote was nonbinding; he cannot determine the outcome yet, he added, but many details "
            "were given at length about the troops, the bases, the coalition and the training programme [2].",
            False,
        ),
    ],
)
def test_looks_like_refusal(reply: str, refusal: bool) -> None:
    assert looks_like_refusal(reply) is refusal


def test_decline_text__says_what_is_missing_and_what_the_articles_cover() -> None:
    text = decline_text(PASSAGES, ["Bitcoin"])
    assert text == (
        "The articles do not say. They do not mention “Bitcoin”. "
        "The closest articles are “US-Led Coalition Halts Training”, “Militias”."
    )


def test_missing_names__a_name_known_to_the_collection_is_not_missing() -> None:
    known = {"Ditz", "Jason"}.__contains__
    assert missing_names("What is Jason Ditz's job?", PASSAGES, known=lambda w: known(w.removesuffix("'s"))) == []
    assert missing_names("What did Jason Ditz say about Bitcoin?", PASSAGES, known=known) == ["Bitcoin"]


@pytest.mark.parametrize(
    ("question", "sentences", "expected"),
    [
        ("How many Sunni civilians were killed?", ["Reuters confirmed 66 were killed [1]."], True),
        ("How many people died with Soleimani?", ["The strike killed Soleimani and several others [1]."], False),
        ("How many votes did the resolution get?", ["The resolution received nonbinding votes [1]."], False),
        ("What share of the 100 militias is a problem?", ["Between 15-20% are a problem [1]."], True),
        ("What share of the 100 militias is a problem?", ["Of the 100 militias, many are [1]."], False),
        ("How many troops stayed?", ["About five thousand troops stayed [2]."], True),
        ("Who wrote the letter?", ["The letter was written by a general [1]."], True),
        ("On what date did parliament legalise the militias?", ["It did so on Nov. 26 [1]."], True),
        (
            "On what date did parliament vote to expel US troops?",
            ["Parliament voted on a nonbinding basis [1]."],
            False,
        ),
        ("In which month was Fallujah captured?", ["Fallujah was captured in June [2]."], True),
        ("What year did the 2016 vote pass?", ["The 2016 vote passed narrowly [1]."], False),
        (
            "What was the name of the US spokesman quoted by the LA Times?",
            ["A U.S. military spokesman was quoted [1]."],
            False,
        ),
        (
            "What was the name of the spokesman quoted by the LA Times?",
            ["The LA Times quoted Col. John Dorrian [1]."],
            True,
        ),
        ("Who did the attacks kill?", ["They killed an American civilian contractor [1]."], True),
        (
            "Which specific Shiite militia groups has the US agreed to train?",
            ["The US has agreed to train Iranian-connected militias in its anti-ISIS effort [1]."],
            False,  # hyphenated descriptions name no group
        ),
        ("Which particular groups did the US train?", ["The US trained the Badr Organization [1]."], True),
        ("Which particular groups did the US fight?", ["The US fought Al-Qaeda [1]."], True),
        ("In which city did the strike take place?", ["The strike took place near the airport [1]."], False),
        ("In which city did the strike take place?", ["The strike took place in Baghdad [1]."], True),
        ("Which news network did McGurk speak to?", ["McGurk spoke to CNN [1]."], True),
        (
            "How much money has the US spent on training the militias?",
            ["Reuters found that militias killed hundreds of civilians [2]."],
            False,
        ),
        ("How much money has the US spent on training?", ["The program cost $1.6 billion [1]."], True),
        ("How much did the training program cost?", ["It cost 500 million dollars [1]."], True),
        ("What did the new bases cost?", ["The bases host coalition troops [1]."], False),
        ("How much of the budget went to schools?", ["About 40 percent went to schools [1]."], True),
        ("How much of the aid was spent on food?", ["About 40 percent was spent on food [1]."], True),
    ],
)
def test_answers_the_kind__a_count_money_date_or_name_question_needs_a_new_one(
    question: str, sentences: list[str], expected: bool
) -> None:
    assert answers_the_kind(question, sentences) is expected


def test_answer_part__keeps_the_answering_sentences_of_a_reply_that_also_declines() -> None:
    reply = "66 civilians were confirmed killed [1]. The article does not say more."
    assert not looks_like_refusal(reply)
    assert answer_part(reply) == "66 civilians were confirmed killed [1]."
