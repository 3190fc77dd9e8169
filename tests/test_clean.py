"""Cleaning: page boilerplate out, facts in, author and outlet kept as metadata."""

from __future__ import annotations

import pytest

from ingest.clean import clean_article
from ingest.load import load_paths
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def seeds() -> dict[str, object]:
    loaded = load_paths([SEEDS])
    assert not loaded.problems
    return {a.source_id: a for a in loaded.articles}


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Font Size:", False),
        ("Follow Saagar Enjeti on Twitter", False),
        ("Send tips to", False),
        (
            "Content created by The Daily Caller News Foundation is available without charge to any eligible news "
            "publisher that can provide a large audience. For licensing opportunities of our original content, "
            "please contact",
            False,
        ),
        ("Daily Caller News Foundation logo", False),
        ("Updated:", False),
        ("twitter", False),
        ("Related Topics", False),
        ("Reuters is now reporting that a confirmed 66 Sunni civilians were killed.", True),
        ("Follow the money, investigators said on Twitter.", True),  # prose that starts with "Follow" stays
    ],
)
def test_clean_article__drops_boilerplate_lines_only(line: str, kept: bool) -> None:
    cleaned = clean_article(f"Title\n\nA first paragraph of the article text.\n\n{line}\n")
    assert (line in cleaned.body) is kept


def test_clean_article__first_nonempty_line_is_title_and_its_repeat_goes() -> None:
    cleaned = clean_article("\n\nSame Title\n\nSame Title\nBody text here.")
    assert cleaned.title == "Same Title"
    assert cleaned.body == "Body text here."


def test_clean_article__duplicated_photo_caption_is_kept_once() -> None:
    caption = "The general is seen in Tehran on Sept. 14, 2013."
    cleaned = clean_article(f"T\n\n{caption} (Photo/AFP via Getty Images)\n{caption} Photo/AFP via Getty Images\nMore.")
    assert cleaned.body.count("seen in Tehran") == 1


@pytest.mark.parametrize(
    ("source_id", "author", "outlet"),
    [
        ("000_a0a1d74bddaec656", "Saagar Enjeti", "Daily Caller News Foundation"),
        ("001_810fd9463e87c3a4", "Jason Ditz", "Antiwar.com"),
        ("002_d8c398a1fbd80f3e", "Jack Phillips", ""),  # the text never names the outlet
    ],
)
def test_seed__author_and_outlet_come_from_the_text(seeds: dict, source_id: str, author: str, outlet: str) -> None:
    article = seeds[source_id]
    assert (article.author, article.outlet) == (author, outlet)


def test_seeds__boilerplate_gone_and_facts_kept(seeds: dict) -> None:
    bodies = {sid: a.body for sid, a in seeds.items()}
    everything = "\n".join(bodies.values())
    for junk in (
        "Font Size",
        "Send tips to",
        "licensing opportunities",
        "Follow Saagar",
        "Follow him on X",
        "News Foundation logo",
        "Related Topics",
        "Updated:",
    ):
        assert junk not in everything, junk
    assert everything.count("Mehdi Ghasemi/ISNA/AFP") == 1  # the duplicated caption, once
    assert "confirmed 66 Sunni civilians were killed" in bodies["001_810fd9463e87c3a4"]
    assert "William H. Seely III" in bodies["002_d8c398a1fbd80f3e"]
    assert "about 500" in bodies["000_a0a1d74bddaec656"]
    assert not any(a.body.startswith(a.title) for a in seeds.values())
