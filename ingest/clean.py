"""Cleaning scraped news text: page boilerplate out, author and outlet kept as metadata.

Removes what news pages leave behind (a repeated title line, "Font Size:", "Follow … on Twitter",
"Send tips to", licensing footers, social-button words, empty "Updated:" labels, duplicated photo
captions, a byline block repeated at the end). It works line by line on plain text; it does not parse
HTML and does not try to recognise every site's furniture.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DROP_LINE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^font size:?$",
        r"^follow\b[^.,;]{1,60}\bon (twitter|x|facebook|instagram)\b(:?\s*\S*)?$",
        r"^send tips to\b.*$",
        r"^.*\b(licensing opportunities|available without charge to any eligible news publisher)\b.*$",
        r"^(updated|published|posted|share|print|email|twitter|facebook|x|related topics|advertisement)[:]?$",
        r"^.{2,60}\blogo$",
    )
]
_TRAILING_FOLLOW = re.compile(r"\s*Follow (?:him|her|them|us|me|\w+(?: \w+)?) on (?:Twitter|X)\b:?\s*\S*\s*$")
_AUTHOR_LABEL = re.compile(r"^(?:author|by|written by)\s*:?\s+(.{3,60})$", re.IGNORECASE)
_ROLE = (
    r"(?:(?:Senior|Chief|Managing|Staff|Contributing|Breaking News|White House|National|Political|Foreign|Deputy)\s+)*"
    r"(?:Correspondent|Reporter|Editor|Writer|Columnist|Contributor|Journalist)"
)
_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z'’.]+){1,2}"
_BYLINE = re.compile(rf"^({_NAME})(?:,?\s+{_ROLE})?$")
_ROLE_ONLY = re.compile(rf"^{_ROLE}$")
_OUTLET_LOGO = re.compile(r"^(.{2,60}?)\s+logo$", re.IGNORECASE)
_OUTLET_IN_BIO = re.compile(
    rf"\b(?:is|as) (?:an? |the )?{_ROLE} (?:for|at|of) ([A-Z][\w&'’-]*(?:\.[a-z]{{2,4}})?(?: [A-Z][\w&'’-]*)*)"
)
_HEADER_LINES = 6


@dataclass(frozen=True)
class Cleaned:
    """A cleaned article: its title, body paragraphs joined by blank lines, and metadata found."""

    title: str
    body: str
    author: str = ""
    outlet: str = ""


def clean_article(text: str, *, markdown: bool = False) -> Cleaned:
    """Split `text` into title (first non-empty line) and cleaned body; find author and outlet."""
    lines = [_normalise(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return Cleaned(title="", body="")
    title = lines[0].lstrip("#").strip() if markdown else lines[0]
    rest = [line for line in lines[1:] if line != title]
    outlet = _find_outlet(rest)
    author, rest = _take_author(rest)
    body_lines = _drop_duplicates([line for line in rest if not _is_boilerplate(line)])
    if author:
        body_lines = [line for line in body_lines if line != author and not _ROLE_ONLY.match(line)]
    body_lines = [_TRAILING_FOLLOW.sub("", line) for line in body_lines]
    return Cleaned(title=title, body="\n\n".join(line for line in body_lines if line), author=author, outlet=outlet)


def _normalise(line: str) -> str:
    line = unicodedata.normalize("NFC", line).replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", line).strip()


def _is_boilerplate(line: str) -> bool:
    return any(pattern.match(line) for pattern in _DROP_LINE)


def _find_outlet(lines: list[str]) -> str:
    for line in lines:
        logo = _OUTLET_LOGO.match(line)
        if logo:
            return logo.group(1)
    for line in lines:
        bio = _OUTLET_IN_BIO.search(line)
        if bio:
            return bio.group(1)
    return ""


def _take_author(lines: list[str]) -> tuple[str, list[str]]:
    """Find an "Author: X" label anywhere or a byline line in the header; remove it from the lines."""
    for index, line in enumerate(lines):
        label = _AUTHOR_LABEL.match(line)
        if label:
            return label.group(1).strip(), lines[:index] + lines[index + 1 :]
    for index, line in enumerate(lines[:_HEADER_LINES]):
        byline = _BYLINE.match(line)
        if byline and not _is_boilerplate(line):
            return byline.group(1), lines[:index] + lines[index + 1 :]
    return "", lines


def _drop_duplicates(lines: list[str]) -> list[str]:
    """Keep the first of lines that repeat with only punctuation differences (captions, bylines)."""
    seen: set[str] = set()
    kept = []
    for line in lines:
        key = re.sub(r"[\W_]+", "", line.casefold())
        if len(key) >= 12 and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return kept
