"""The app started as a real server (`python app.py`, the embedded model) and called through gradio_client.

The same endpoints with a scripted LLM, hostile input, bursts and login are in test_api.py."""

from __future__ import annotations

import pytest
from gradio_client import Client

pytestmark = [pytest.mark.model, pytest.mark.server, pytest.mark.slow]

QUESTION = "How many Sunni civilians did Reuters confirm were killed?"


@pytest.fixture(scope="module")
def client(app_url: str) -> Client:
    return Client(app_url, verbose=False)


def test_api_ask__returns_the_answer_dict_with_checked_citations(client: Client) -> None:
    result = client.predict(QUESTION, [], api_name="/ask")
    assert set(result) >= {"answer", "refused", "citations", "passages", "standalone_question", "decline_reason"}
    assert result["decline_reason"] is None and result["excerpts"]  # what the model read of each passage
    assert "66" in result["answer"] and not result["refused"]
    first = result["citations"][0]
    assert set(first) >= {"n", "source_id", "title", "passage", "score"}
    assert f"[{first['n']}]" in result["answer"]
    assert "66 Sunni civilians" in first["passage"]
    assert result["passages"][first["n"] - 1]["text"] == first["passage"]


def test_api_ask_stream__grows_then_ends_with_citations(client: Client) -> None:
    updates = list(client.submit(QUESTION, [], api_name="/ask_stream"))
    assert len(updates) >= 3
    lengths = [len(u["answer"]) for u in updates[:-1]]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    assert updates[-1]["citations"] and "66" in updates[-1]["answer"]
    assert all(u["citations"] == [] for u in updates[:-1])


def test_api_retrieve__returns_k_passages_best_first(client: Client) -> None:
    passages = client.predict("Brett McGurk militias", 3, api_name="/retrieve")
    assert len(passages) == 3
    assert "McGurk" in passages[0]["text"]
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)


def test_api_ask__a_declined_question_says_why(client: Client) -> None:
    result = client.predict("What did the articles say about Bitcoin mining in Kazakhstan?", [], api_name="/ask")
    assert result["refused"] and result["decline_reason"]["code"] == "unknown_name"
    assert "“Bitcoin”" in result["decline_reason"]["reason"]


@pytest.mark.parametrize(
    ("question", "message"), [("   ", "Please type a question"), ("x" * 5000, "limited to 2,000 characters")]
)
def test_api_ask__bad_question_gets_a_clear_error(client: Client, question: str, message: str) -> None:
    with pytest.raises(Exception, match=message):
        client.predict(question, [], api_name="/ask")
