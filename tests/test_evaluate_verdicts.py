"""The verdict evaluation without a model: each reply's outcome as a table over `Answer` objects, the
loader's errors naming their line, the rates per group, the report files, and the CLI's exit 2."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import AssistantError
from assistant.evaluate import __main__ as cli
from assistant.evaluate import verdicts
from assistant.evaluate.answers import Reply
from assistant.evaluate.verdicts import Item, Row, load_items, outcome, score, summarise, write
from assistant.types import Answer, Citation, Decline, Passage

YES = Item(id="yn", corpus="seeds", kind="yes_no", question="Did Reuters confirm 66 deaths?", expected="yes")
WHO = Item(
    id="who",
    corpus="multihop",
    kind="attribution",
    question="Which outlet reported that the strikes continued?",
    expected="Antiwar.com",
    accept=["Jason Ditz"],
    options=["Antiwar.com", "Reuters", "AP"],
)
LINE = {"id": "seed-yn-01", "corpus": "seeds", "kind": "yes_no", "question": "Is it so?", "expected": "yes"}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer("Yes [1].", verdict="yes"), "right"),
        (Answer("Yes [1].", verdict="Yes"), "right"),  # compared normalised
        (Answer("No [1].", verdict="no"), "wrong"),
        (Answer("Yes [1].", verdict="yes", refused=True), "declined"),  # a decline is a decline, whatever it says
        (Answer("Yes, Reuters confirmed 66 [1]."), "right"),  # no verdict: the first word of the text
        (Answer("No, it confirmed 50 [1]."), "wrong"),
        (Answer("Reuters confirmed 66 deaths [1]. So yes."), "hedged"),  # no yes or no in the first sentence
        (Answer("Yes: the articles show [1].", hedged=True), "hedged"),  # the engine says it did not decide
        (Answer("", verdict=""), "hedged"),
    ],
)
def test_outcome__a_yes_no_item_takes_the_verdict_then_the_first_word(answer: Answer, expected: str) -> None:
    assert outcome(YES, answer) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer("Antiwar.com reported it [1].", verdict="Antiwar.com"), "right"),
        (Answer("Jason Ditz wrote it [1].", verdict="Jason Ditz"), "right"),  # any accepted name
        (Answer("x", verdict="ANTIWAR.COM"), "right"),
        (Answer("x", verdict="Jason Ditz, Antiwar.com"), "right"),  # the verdict holds an accepted name
        (Answer("x", verdict="Reuters"), "wrong"),  # an option not accepted
        (Answer("x", verdict="The Guardian"), "wrong"),  # any name that is not accepted
        (Answer("Reuters said so [1].", verdict="Antiwar.com", refused=True), "declined"),
        (Answer("Jason Ditz of Antiwar.com reported it [1]. Reuters did not."), "right"),  # no verdict: sentence 1
        (Answer("Antiwar.com[1] reported it."), "right"),  # markers stripped
        (Answer("Reuters reported it [1]. Antiwar.com later agreed [2]."), "wrong"),  # names an option first
        (Answer("It came out at a briefing [1]. Antiwar.com reported it [2]."), "hedged"),  # named after sentence 1
        (Answer("The Guardian reported it [1]."), "hedged"),  # no verdict and no option named: not counted wrong
        (Answer("Apparently the strikes continued [1]."), "hedged"),  # whole words: "AP" is not in "Apparently"
        (Answer("Antiwar.com reported it [1].", hedged=True), "hedged"),  # evidence shown, the engine did not decide
    ],
)
def test_outcome__an_attribution_item_names_an_accepted_outlet_or_author(answer: Answer, expected: str) -> None:
    assert outcome(WHO, answer) == expected


def test_outcome__an_option_that_is_also_accepted_is_right_not_wrong() -> None:
    """Antiwar.com is both an option and the expected outlet: naming it is right."""
    assert outcome(WHO, Answer("Antiwar.com, says the article [1].")) == "right"


def _lines(tmp_path: Path, *lines: Any) -> Path:
    path = tmp_path / "verdicts.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


def test_load_items__reads_every_field_and_skips_blank_lines(tmp_path: Path) -> None:
    full = {
        **LINE,
        "id": "mh-at-01",
        "corpus": "multihop",
        "kind": "attribution",
        "expected": "Antiwar.com",
        "accept": ["Antiwar.com", "Jason Ditz"],
        "options": ["Antiwar.com", "Reuters"],
        "made": "swapped_outlet",
        "source": "Strikes go on",
        "evidence": "The strikes continued.",
        "note": "ignored",
    }
    items = load_items(_lines(tmp_path, LINE, "", full))
    assert [i.id for i in items] == ["seed-yn-01", "mh-at-01"]
    assert items[1].accepted == ["Antiwar.com", "Jason Ditz"] and items[1].made == "swapped_outlet"
    assert items[1].evidence == "The strikes continued." and items[0].accept == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not a verdict item"),
        ([1, 2], "a line must be a JSON object"),
        ({**LINE, "question": " "}, "question must be non-empty text"),
        ({k: v for k, v in LINE.items() if k != "expected"}, "expected must be non-empty text"),
        ({**LINE, "corpus": "web"}, "corpus must be one of seeds, multihop"),
        ({**LINE, "kind": "who"}, "kind one of yes_no, attribution"),
        ({**LINE, "expected": "maybe"}, "a yes_no item expects yes or no, not 'maybe'"),
        ({**LINE, "id": "b", "accept": "Reuters"}, "accept and options must be lists of text"),
        (LINE, "the id 'seed-yn-01' is used twice"),
    ],
)
def test_load_items__a_bad_line_is_named(tmp_path: Path, line: Any, message: str) -> None:
    path = _lines(tmp_path, LINE, line)
    with pytest.raises(AssistantError, match=r"verdicts\.jsonl:2: ") as error:
        load_items(path)
    assert message in str(error.value)


@pytest.mark.parametrize(("content", "message"), [(None, "cannot be read"), ("\n\n", "holds no items")])
def test_load_items__a_missing_or_empty_file(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "verdicts.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(AssistantError, match=message):
        load_items(path)


EVIDENCE = "Jason Ditz wrote that the strikes continued overnight."
PASSAGE = Passage(
    text=f"The war went on. {EVIDENCE} Nothing else.",
    source_id="a1",
    title="Strikes go on",
    score=1.0,
    outlet="Antiwar.com",
)


def _row(item: Item, answer: Answer, made: str, first: float, total: float) -> Row:
    return score(replace(item, id=f"{item.id}-{first}", made=made), Reply("", answer, first, total))


def _rows() -> list[Row]:
    """Six items: seeds yes/no right, wrong, hedged; multihop attribution right (cited), declined, wrong."""
    cited = Answer(
        "Antiwar.com reported it [1].",
        citations=[Citation(1, PASSAGE, "Antiwar.com reported it.", 0.9, EVIDENCE), Citation(1, PASSAGE, "Again.")],
        passages=[PASSAGE],
        verdict="Antiwar.com",
    )
    declined = Answer("The articles do not say.", refused=True, decline_reason=Decline("low_score", "Nothing close."))
    return [
        _row(YES, Answer("Yes [1].", verdict="yes"), "stated", 1.0, 2.0),
        _row(YES, Answer("No [1].", verdict="no"), "negated", 2.0, 4.0),
        _row(YES, Answer("The articles show [1].", hedged=True), "negated", 3.0, 6.0),
        _row(WHO, cited, "stated", 0.5, 1.0),
        _row(WHO, declined, "swapped_outlet", 0.1, 0.2),
        _row(WHO, Answer("x", verdict="Reuters"), "swapped_outlet", 4.0, 8.0),
    ]


def test_score__the_row_holds_the_verdict_outcome_decline_code_and_cited_sentences() -> None:
    """A cited sentence is the passage sentence that verified the answer's (else the answer's), with its marker."""
    rows = _rows()
    assert rows[3].outcome == "right" and rows[3].verdict == "Antiwar.com" and rows[3].decline_code == ""
    assert rows[3].cited == [f"[1] {EVIDENCE}", "[1] Again."]
    assert rows[4].outcome == "declined" and rows[4].decline_code == "low_score" and rows[4].cited == []
    assert score(YES, Reply("", Answer("No.", refused=True), 1.0, 1.0)).decline_code == "unrecorded"


def test_summarise__rates_per_corpus_and_kind_and_per_how_made() -> None:
    data = summarise(_rows())
    rows = data["rows"]
    assert list(rows) == ["overall", "seeds yes_no", "multihop attribution"]
    shares = {"right": 2 / 6, "wrong": 2 / 6, "hedged": 1 / 6, "declined": 1 / 6}
    assert rows["overall"] == pytest.approx(shares | {"n": 6, "first_token_p50_s": 1.5, "total_p50_s": 3.0})
    shares = {"right": 1 / 3, "wrong": 1 / 3, "hedged": 1 / 3, "declined": 0.0}
    assert rows["seeds yes_no"] == pytest.approx(shares | {"n": 3, "first_token_p50_s": 2.0, "total_p50_s": 4.0})
    assert rows["multihop attribution"]["declined"] == pytest.approx(1 / 3)
    assert {m: (r["n"], r["right"]) for m, r in data["made"].items()} == {
        "negated": (2, 0.0),
        "stated": (2, 1.0),
        "swapped_outlet": (2, 0.0),
    }
    assert data["declines"] == {
        "overall": {"low_score": 1},
        "seeds yes_no": {"low_score": 0},
        "multihop attribution": {"low_score": 1},
    }
    assert [i["outcome"] for i in data["items"]] == ["right", "wrong", "hedged", "right", "declined", "wrong"]


def test_write__report_json_and_a_markdown_table_row_per_item(tmp_path: Path) -> None:
    rows = _rows()
    rows[0] = score(YES, Reply("", Answer("Yes | no\n[1].", verdict="yes"), 1.0, 2.0))  # a pipe and a line break
    write(tmp_path, summarise(rows), Path("verdicts.jsonl"))
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["rows"]["overall"]["n"] == 6 and len(data["items"]) == 6
    markdown = (tmp_path / "report.md").read_text()
    assert markdown.startswith("# Verdicts: verdicts.jsonl")
    assert "| overall | 0.333 | 0.333 | 0.167 | 0.167 | 6 | 1.500 | 3.000 |" in markdown
    assert "| yn | Did Reuters confirm 66 deaths? | yes | yes | right |  | Yes \\| no [1]. |  |  |" in markdown
    assert f"| [1] {EVIDENCE} · [1] Again. |" in markdown
    assert "| low_score |" in markdown.split("## Declines by reason")[1]


def test_main__a_bad_set_exits_2_naming_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _lines(tmp_path, LINE, {**LINE, "kind": "who"})
    assert cli.main(["--verdicts", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "verdicts.jsonl:2: not a verdict item" in capsys.readouterr().err


def test_main__a_missing_multihop_folder_exits_2_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(settings: object) -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(verdicts, "llm_from_settings", no_model)
    path = _lines(tmp_path, {**LINE, "corpus": "multihop"})
    args = ["--verdicts", str(path), "--multihop-dir", str(tmp_path / "none"), "--out", str(tmp_path / "out")]
    assert cli.main(args) == 2
    assert "must hold corpus.json and MultiHopRAG.json" in capsys.readouterr().err
