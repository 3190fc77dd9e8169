"""Loading article files: `.txt`/`.md` (one article each) and `.json`/`.jsonl` collections.

A file that cannot be read becomes a `Problem` naming the file (and line or record); the other files
still load. It does not fetch URLs, read PDFs/HTML, or guess encodings other than UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.clean import clean_article

TEXT_SUFFIXES = (".txt", ".md")
JSON_SUFFIXES = (".json", ".jsonl")
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Article:
    """One cleaned article with the metadata the text or the record gave."""

    source_id: str
    title: str
    body: str
    outlet: str = ""
    author: str = ""
    published_at: str = ""
    url: str = ""
    category: str = ""
    origin: str = ""  # the file it came from


@dataclass(frozen=True)
class Problem:
    """Something that could not be loaded, with a message that names it."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Loaded:
    """What `load_paths` found."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def load_paths(paths: Iterable[Path]) -> Loaded:
    """Load every supported file under `paths` (files or folders, searched recursively)."""
    loaded = Loaded()
    seen: dict[str, str] = {}
    for path in _expand(paths, loaded.problems):
        loaded.files += 1
        for item in _load_file(path):
            if isinstance(item, Problem):
                loaded.problems.append(item)
            elif item.source_id in seen:
                loaded.problems.append(Problem(item.origin, f"duplicate of {seen[item.source_id]} (skipped)"))
            else:
                seen[item.source_id] = item.origin
                loaded.articles.append(item)
    return loaded


def _expand(paths: Iterable[Path], problems: list[Problem]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + JSON_SUFFIXES
            )
            if not found:
                problems.append(Problem(str(path), "no .txt, .md, .json or .jsonl files in this folder"))
            yield from found
        elif path.is_file():
            yield path
        else:
            problems.append(Problem(str(path), "no such file or folder"))


def _load_file(path: Path) -> Iterator[Article | Problem]:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + JSON_SUFFIXES:
        yield Problem(str(path), f"unsupported file type {suffix or '(none)'}; use .txt, .md, .json or .jsonl")
        return
    text = _read_text(path)
    if isinstance(text, Problem):
        yield text
    elif suffix in TEXT_SUFFIXES:
        yield _text_article(path, text)
    elif suffix == ".jsonl":
        yield from _jsonl_articles(path, text)
    else:
        yield from _json_articles(path, text)


def _read_text(path: Path) -> str | Problem:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(str(path), f"file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
        raw = path.read_bytes()
    except OSError as error:
        return Problem(str(path), f"cannot read file ({error.strerror or error})")
    if b"\x00" in raw:
        return Problem(str(path), "looks like a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(str(path), f"not UTF-8 text (bad byte at offset {error.start})")
    if not text.strip():
        return Problem(str(path), "file is empty")
    return text


def _text_article(path: Path, text: str) -> Article | Problem:
    cleaned = clean_article(text, markdown=path.suffix.lower() == ".md")
    if not cleaned.body:
        return Problem(str(path), "no article text after the title line")
    return Article(
        source_id=path.stem,
        title=cleaned.title,
        body=cleaned.body,
        outlet=cleaned.outlet,
        author=cleaned.author,
        origin=str(path),
    )


def _jsonl_articles(path: Path, text: str) -> Iterator[Article | Problem]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Problem(f"{path}:{number}", f"invalid JSON ({error.msg})")
            continue
        yield _record_article(record, f"{path}:{number}")


def _json_articles(path: Path, text: str) -> Iterator[Article | Problem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        yield Problem(str(path), f"invalid JSON ({error.msg} at line {error.lineno})")
        return
    if isinstance(data, dict):
        data = data.get("articles", [data])
    if not isinstance(data, list):
        yield Problem(str(path), "expected a list of article objects")
        return
    for index, record in enumerate(data):
        yield _record_article(record, f"{path}[{index}]")


def _record_article(record: Any, where: str) -> Article | Problem:
    if not isinstance(record, dict):
        return Problem(where, "expected an object with 'title' and 'body' (or 'text')")
    title = _field(record, "title")
    body = _field(record, "body") or _field(record, "text")
    if not title or not body:
        missing = "title" if not title else "body"
        return Problem(where, f"missing or empty '{missing}'")
    cleaned = clean_article(f"{title}\n\n{body}")
    article = Article(
        source_id=_field(record, "id") or _record_id(record, title),
        title=title,
        body=cleaned.body,
        outlet=_field(record, "source") or cleaned.outlet,
        author=_field(record, "author") or cleaned.author,
        published_at=_field(record, "published_at"),
        url=_field(record, "url"),
        category=_field(record, "category"),
        origin=where,
    )
    return article if article.body else Problem(where, "no article text after cleaning")


def _field(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    return str(value).strip() if value is not None else ""


def _record_id(record: dict[str, Any], title: str) -> str:
    key = _field(record, "url") or f"{title}\x1f{_field(record, 'published_at')}"
    return "doc-" + hashlib.sha1(key.encode()).hexdigest()[:16]
