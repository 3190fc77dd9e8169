"""Loading: text and JSON/JSONL articles; unreadable files are named and skipped, the rest land."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.load import load_paths
from tests.conftest import MULTIHOP


def test_load__txt_and_md_titles_are_first_nonempty_lines(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\n  Plain Title  \n\nBody one.")
    (tmp_path / "b.md").write_text("# Markdown Title\n\nBody two.")
    loaded = load_paths([tmp_path])
    assert {(a.source_id, a.title, a.body) for a in loaded.articles} == {
        ("a", "Plain Title", "Body one."),
        ("b", "Markdown Title", "Body two."),
    }


def test_load__json_and_jsonl_records_keep_their_metadata(tmp_path: Path) -> None:
    record = {
        "title": "T1",
        "body": "B1",
        "source": "Outlet",
        "url": "https://x/1",
        "author": "A",
        "published_at": "2023-11-01T00:00:00+00:00",
        "category": "news",
    }
    (tmp_path / "c.json").write_text(json.dumps([record]))
    (tmp_path / "d.jsonl").write_text(json.dumps({"title": "T2", "text": "B2"}) + "\n")
    loaded = load_paths([tmp_path])
    by_title = {a.title: a for a in loaded.articles}
    assert not loaded.problems
    assert (by_title["T1"].outlet, by_title["T1"].author, by_title["T1"].published_at) == (
        "Outlet",
        "A",
        "2023-11-01T00:00:00+00:00",
    )
    assert by_title["T2"].body == "B2"
    assert by_title["T1"].source_id.startswith("doc-")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"\x00\x01\x02", "binary"),
        ("latin1.txt", "Caf\u00e9 title\n\nbody".encode("latin-1"), "not UTF-8"),
        ("broken.json", b'[{"title": ', "invalid JSON"),
        ("shape.json", b'{"articles": 3}', "expected a list"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type"),
        ("only-title.txt", b"Just a title\n", "no article text"),
    ],
)
def test_load__bad_file_is_named_and_the_rest_still_load(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / "good.txt").write_text("Good\n\nFine body.")
    bad = tmp_path / name
    bad.write_bytes(content)
    loaded = load_paths([tmp_path / "good.txt", bad])
    assert [a.title for a in loaded.articles] == ["Good"]
    assert len(loaded.problems) == 1
    assert name in str(loaded.problems[0]) and message in str(loaded.problems[0])


def test_load__bad_record_in_jsonl_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"title": "ok", "body": "fine"}\nnot json\n{"title": "no body"}\n')
    loaded = load_paths([path])
    assert [a.title for a in loaded.articles] == ["ok"]
    assert [p.where for p in loaded.problems] == [f"{path}:2", f"{path}:3"]


@pytest.mark.skipif(not MULTIHOP.exists(), reason="the MultiHop-RAG benchmark is not beside the project")
def test_load__multihop_corpus_loads_as_is() -> None:
    loaded = load_paths([MULTIHOP / "corpus.json"])
    assert not loaded.problems
    assert len(loaded.articles) == 609
    assert all(a.url and a.outlet and a.published_at for a in loaded.articles)
