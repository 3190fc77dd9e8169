"""The one answer-or-decline decision: named signals, checked in a fixed order; the first that fires is
the reason a question is declined (`Answer.decline_reason`).

Before the model is asked:
- `outside_filters`: the reader's filters (outlets, authors, dates) admit no article;
- `nothing_close`: no retrieved passage reaches the minimum similarity to the question (the reason
  names the filters when there are any);
- `unknown_name`: a name or year the question uses appears in no retrieved passage and nowhere in the
  collection.
After it replied:
- `model_declined`: the reply says the passages do not answer;
- `unsupported`: no sentence of the reply is supported by a passage it cites (after the citation check);
- `wrong_kind`: the question asks for a number, sum, date or name and no cited sentence states a new one.
Every signal is computed for every reply and all that fired are kept in `Answer.signals`, so an
evaluation can tell what each one costs or buys. It does not judge whether an answer is complete.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.grounding.answerable import answers_the_kind, looks_like_refusal
from assistant.question.filters import NO_FILTERS, Filters
from assistant.types import Decline, Passage

REASONS = {
    "outside_filters": "No indexed article is {filters}.",
    "nothing_close": "No passage of the articles{filters} is close enough to the question.",
    "unknown_name": "The articles never mention {names}.",
    "model_declined": "The model found no answer in the passages it read.",
    "unsupported": "No sentence of the reply is supported by a passage it cites.",
    "wrong_kind": "The reply does not state the kind of answer the question asks for.",
}
SIGNALS = tuple(REASONS)


def before_model(
    passages: Sequence[Passage], *, min_score: float, missing: Sequence[str], filters: Filters = NO_FILTERS
) -> list[Decline]:
    """The signals that fire before the model is asked (all of them, in order); `missing` are the
    question's names that neither the passages nor the collection mention (`answerable.missing_names`);
    `filters` what the reader restricted retrieval to (no passage under active filters: none admitted)."""
    fired = []
    if not passages and filters.active:
        fired.append(_decline("outside_filters", filters=filters.describe()))
    if not passages or max(p.similarity for p in passages) < min_score:
        fired.append(_decline("nothing_close", filters=f" {filters.describe()}" if filters.active else ""))
    if missing:
        fired.append(_decline("unknown_name", names=", ".join(f"“{m}”" for m in missing)))
    return fired


def after_model(question: str, raw: str, cited: Sequence[str]) -> list[Decline]:
    """The signals that fire on the model's reply: `cited` are its sentences that kept a citation after
    the check."""
    fired = []
    if looks_like_refusal(raw):
        fired.append(_decline("model_declined"))
    if not cited:
        fired.append(_decline("unsupported"))
    if not answers_the_kind(question, cited):
        fired.append(_decline("wrong_kind"))
    return fired


def _decline(code: str, **values: str) -> Decline:
    return Decline(code, REASONS[code].format(**values))
