"""Filters: what a caller sends is checked, names are matched as indexed, chunks are admitted or not."""

from __future__ import annotations

import re

import pytest

from assistant.errors import InvalidQuestion
from assistant.question.filters import NO_FILTERS, Filters

OUTLETS = {"Antiwar.com", "Cnbc | World Business News Leader", "The Verge"}
AUTHORS = {"Jason Ditz", "Saagar Enjeti"}


def test_parse__dates_are_iso_days_and_nothing_sent_is_no_filter() -> None:
    assert Filters.parse() == NO_FILTERS and not NO_FILTERS.active
    assert Filters.parse(None, [], "", None) == NO_FILTERS
    parsed = Filters.parse(["The Verge"], "Jason Ditz", "2023-10-01", "2023-11-30T23:59:00")
    assert parsed == Filters(("The Verge",), ("Jason Ditz",), "2023-10-01", "2023-11-30") and parsed.active


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((None, None, "2023-13-01"), "published_after “2023-13-01” is not a date; write it YYYY-MM-DD"),
        ((None, None, None, "last week"), "published_before “last week” is not a date"),
        ((None, None, "2023-12-01", "2023-11-01"), "published_after (2023-12-01) is later than published_before"),
        (([1, 2],), "outlets must be a list of names"),
        ((None, {"a": 1}), "authors must be a list of names"),
        ((None, None, 20231001), "published_after must be a date written YYYY-MM-DD"),
    ],
)
def test_parse__bad_values_get_a_clear_message(values: tuple, message: str) -> None:
    with pytest.raises(InvalidQuestion, match=re.escape(message)):
        Filters.parse(*values)


def test_resolve__any_case_and_an_outlets_short_form_find_the_indexed_name() -> None:
    resolved = Filters.parse(["cnbc", "the verge"], ["jason ditz"]).resolve(OUTLETS, AUTHORS)
    assert resolved.outlets == ("Cnbc | World Business News Leader", "The Verge")
    assert resolved.authors == ("Jason Ditz",)


def test_resolve__an_unknown_name_is_named_with_what_is_known() -> None:
    with pytest.raises(
        InvalidQuestion, match=re.escape("No indexed article has the outlet “Reuters”. Known: Antiwar.com, Cnbc")
    ):
        Filters.parse(["Reuters"]).resolve(OUTLETS, AUTHORS)
    with pytest.raises(InvalidQuestion, match="author “Ditz”"):
        Filters.parse(None, ["Ditz"]).resolve(OUTLETS, AUTHORS)  # authors are matched whole


@pytest.mark.parametrize(
    ("meta", "admitted"),
    [
        ({"outlet": "The Verge", "author": "A", "published_at": "2023-10-01T08:00:00+00:00"}, True),  # first day
        ({"outlet": "The Verge", "author": "A", "published_at": "2023-11-30"}, True),  # last day
        ({"outlet": "The Verge", "author": "A", "published_at": "2023-12-01"}, False),
        ({"outlet": "The Verge", "author": "A", "published_at": ""}, False),  # no date: outside a date range
        ({"outlet": "Antiwar.com", "author": "A", "published_at": "2023-10-05"}, False),
    ],
)
def test_admits__outlet_and_an_inclusive_date_range(meta: dict, admitted: bool) -> None:
    filters = Filters.parse(["The Verge"], None, "2023-10-01", "2023-11-30").resolve(OUTLETS, AUTHORS)
    assert filters.admits(meta) is admitted


def test_describe__says_the_filters_in_words() -> None:
    assert Filters(("Antiwar.com",)).describe() == "from Antiwar.com"
    both = Filters(("A", "B", "C"), ("Jason Ditz",), "2023-10-01", "2023-11-30").describe()
    assert both == "from A, B or C, by Jason Ditz, published from 2023-10-01 to 2023-11-30"
    assert Filters(published_before="2023-11-30").describe() == "published on or before 2023-11-30"
