"""Where a reader asks the assistant to look: outlets, authors and a range of publication dates.

`Filters.parse` checks what a caller sends (ISO dates, after ≤ before, lists of names) and
`Filters.resolve` maps the names onto the indexed ones (any case; an outlet also by its short form
before " | ", " - " or ": "), raising InvalidQuestion that names an unknown value and lists what is
known. Both dates are inclusive; an article without a date is outside any date range. Retrieval applies
the filters to both of its sides (`admits` on each chunk's metadata). Pure: no store, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.errors import InvalidQuestion
from assistant.question.mentions import aliases
from assistant.text import is_day

_SHOWN = 8  # known values listed in an error message


@dataclass(frozen=True)
class Filters:
    """Outlets and authors (any of each; empty: all) and an inclusive range of ISO dates."""

    outlets: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published_after: str = ""
    published_before: str = ""

    @classmethod
    def parse(
        cls,
        outlets: object = None,
        authors: object = None,
        published_after: object = None,
        published_before: object = None,
    ) -> Filters:
        """Filters from what an API caller or the page sends; InvalidQuestion saying what is wrong."""
        after, before = _date(published_after, "published_after"), _date(published_before, "published_before")
        if after and before and after > before:
            raise InvalidQuestion(f"published_after ({after}) is later than published_before ({before}).")
        return cls(_names(outlets, "outlets"), _names(authors, "authors"), after, before)

    @property
    def active(self) -> bool:
        """True when anything is filtered."""
        return bool(self.outlets or self.authors or self.published_after or self.published_before)

    def resolve(self, outlets: Iterable[str], authors: Iterable[str]) -> Filters:
        """The same filters with each name spelled as indexed, or InvalidQuestion for one that is not."""
        return Filters(
            _resolved(self.outlets, outlets, "outlet", short_forms=True),
            _resolved(self.authors, authors, "author", short_forms=False),
            self.published_after,
            self.published_before,
        )

    def admits(self, meta: Mapping[str, Any]) -> bool:
        """True when a chunk with this metadata is inside the filters."""
        if self.outlets and str(meta.get("outlet", "")) not in self.outlets:
            return False
        if self.authors and str(meta.get("author", "")) not in self.authors:
            return False
        if self.published_after or self.published_before:
            day = str(meta.get("published_at", ""))[:10]
            if not is_day(day):
                return False
            if self.published_after and day < self.published_after:
                return False
            if self.published_before and day > self.published_before:
                return False
        return True

    def describe(self) -> str:
        """The filters in words, for a decline reason: "from Antiwar.com, published on or after 2024-01-01"."""
        parts = []
        if self.outlets:
            parts.append("from " + _either(self.outlets))
        if self.authors:
            parts.append("by " + _either(self.authors))
        if self.published_after and self.published_before:
            parts.append(f"published from {self.published_after} to {self.published_before}")
        elif self.published_after:
            parts.append(f"published on or after {self.published_after}")
        elif self.published_before:
            parts.append(f"published on or before {self.published_before}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the API's parameter names)."""
        return {
            "outlets": list(self.outlets),
            "authors": list(self.authors),
            "published_after": self.published_after or None,
            "published_before": self.published_before or None,
        }


NO_FILTERS = Filters()


def _names(value: object, field: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise InvalidQuestion(f"{field} must be a list of names.")
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _date(value: object, field: str) -> str:
    """An ISO date (YYYY-MM-DD; a datetime is cut to its day), or "" for none."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise InvalidQuestion(f"{field} must be a date written YYYY-MM-DD.")
    text = value.strip()
    try:
        return (date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()).isoformat()
    except ValueError:
        raise InvalidQuestion(f"{field} “{text[:40]}” is not a date; write it YYYY-MM-DD, e.g. 2023-10-05.") from None


def _resolved(asked: tuple[str, ...], known: Iterable[str], kind: str, *, short_forms: bool) -> tuple[str, ...]:
    spellings: dict[str, set[str]] = {}
    names = sorted({k for k in known if k})
    for name in names:
        for alias in {name, *aliases(name)} if short_forms else {name}:
            spellings.setdefault(alias.casefold(), set()).add(name)
    found: list[str] = []
    for name in asked:
        matches = spellings.get(name.casefold())
        if not matches:
            listed = ", ".join(names[:_SHOWN]) + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
            raise InvalidQuestion(f"No indexed article has the {kind} “{name[:80]}”. Known: {listed or 'none'}.")
        found.extend(sorted(matches))
    return tuple(dict.fromkeys(found))


def _either(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
