"""Filters through the real API (gradio_client against a served app, real Chroma, BM25 and embedder; a
scripted LLM that quotes passage 1): on the seeds, and on a slice of the MultiHop-RAG corpus of two
outlets over two months."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from gradio_client import Client

import app
from assistant.retrieval.embed import Embedder
from tests.conftest import MULTIHOP, seeded_assistant, serve
from tests.fakes import QuotingLLM

pytestmark = [pytest.mark.server]

OUTLETS, MONTHS, PER = ("TechCrunch", "The Verge"), ("2023-10", "2023-11"), 4


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Client]:
    assistant, settings = seeded_assistant(tmp_path_factory.mktemp("filters") / "data", embedder, QuotingLLM())
    with serve(app.create_app(assistant, settings)) as url:
        yield Client(url, verbose=False)


@pytest.fixture(scope="module")
def multihop(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[Client, list[dict]]]:
    """The app over PER articles of each outlet in OUTLETS and month in MONTHS from the MultiHop corpus."""
    corpus = json.loads((MULTIHOP / "corpus.json").read_text())
    picked = []
    for outlet in OUTLETS:
        for month in MONTHS:
            picked += [a for a in corpus if a["source"] == outlet and a["published_at"].startswith(month)][:PER]
    root = tmp_path_factory.mktemp("slice")
    (root / "slice.json").write_text(json.dumps(picked))
    assistant, settings = seeded_assistant(root / "data", embedder, QuotingLLM(), [root / "slice.json"])
    with serve(app.create_app(assistant, settings)) as url:
        yield Client(url, verbose=False), picked


def test_api__the_filters_are_parameters_of_ask_and_retrieve(seeds: Client) -> None:
    endpoints = seeds.view_api(print_info=False, return_format="dict")["named_endpoints"]
    filters = ["outlets", "authors", "published_after", "published_before"]
    assert [p["parameter_name"] for p in endpoints["/ask"]["parameters"]] == ["question", "history", *filters]
    assert [p["parameter_name"] for p in endpoints["/ask_stream"]["parameters"]] == ["question", "history", *filters]
    assert [p["parameter_name"] for p in endpoints["/retrieve"]["parameters"]] == ["question", "k", *filters]


def test_seeds__an_outlet_filter_keeps_retrieval_and_the_answer_inside_it(seeds: Client) -> None:
    passages = seeds.predict("militias", 10, ["antiwar.com"], api_name="/retrieve")
    assert passages and {p["outlet"] for p in passages} == {"Antiwar.com"}
    everywhere = seeds.predict("militias", 10, api_name="/retrieve")
    assert {p["outlet"] for p in everywhere} > {"Antiwar.com"}
    answer = seeds.predict("What did the US do about the militias?", [], ["Antiwar.com"], api_name="/ask")
    assert not answer["refused"] and {p["outlet"] for p in answer["passages"]} == {"Antiwar.com"}


def test_seeds__an_author_filter_admitting_no_dated_article_is_declined_naming_the_filter(seeds: Client) -> None:
    answer = seeds.predict("What did the US do about the militias?", [], None, None, "2030-01-01", api_name="/ask")
    assert answer["refused"] and answer["decline_reason"]["code"] == "outside_filters"
    assert "published on or after 2030-01-01" in answer["answer"] and answer["passages"] == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((["Reuters"], None, None, None), "No indexed article has the outlet “Reuters”"),
        ((None, ["Nobody"], None, None), "No indexed article has the author “Nobody”"),
        ((None, None, "05/10/2023", None), "published_after “05/10/2023” is not a date"),
        ((None, None, "2023-12-01", "2023-10-01"), "is later than published_before"),
    ],
)
def test_seeds__bad_filter_values_get_a_clear_message(seeds: Client, values: tuple, message: str) -> None:
    for api_name, first in (("/ask", ["What did McGurk say?", []]), ("/retrieve", ["McGurk", 5])):
        with pytest.raises(Exception, match=message):
            seeds.predict(*first, *values, api_name=api_name)


def test_multihop_slice__outlet_and_month_filters_hold_for_every_passage(multihop: tuple[Client, list[dict]]) -> None:
    client, picked = multihop
    assert len(picked) == len(OUTLETS) * len(MONTHS) * PER
    for outlet in OUTLETS:
        for month, (after, before) in zip(
            MONTHS, (("2023-10-01", "2023-10-31"), ("2023-11-01", "2023-11-30")), strict=True
        ):
            passages = client.predict("new product launch", 20, [outlet], None, after, before, api_name="/retrieve")
            titles = {a["title"] for a in picked if a["source"] == outlet and a["published_at"].startswith(month)}
            assert passages, (outlet, month)
            assert {p["outlet"] for p in passages} == {outlet}
            assert all(after <= p["published_at"][:10] <= before for p in passages)
            assert {p["title"] for p in passages} <= titles


def test_multihop_slice__an_author_filter_and_an_empty_range(multihop: tuple[Client, list[dict]]) -> None:
    client, picked = multihop
    author = next(a["author"] for a in picked if a["author"])
    passages = client.predict("what happened", 20, None, [author], api_name="/retrieve")
    assert passages and {p["author"] for p in passages} == {author}
    answer = client.predict("What did TechCrunch report?", [], ["TechCrunch"], None, "2023-12-01", api_name="/ask")
    assert answer["refused"] and answer["decline_reason"]["code"] == "outside_filters"
    assert (
        answer["decline_reason"]["reason"] == "No indexed article is from TechCrunch, published on or after 2023-12-01."
    )
