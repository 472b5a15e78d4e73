"""Ranking by behaviour: best score first, and a second option of a kind already ranked gives
way to an option of a new kind whose score is within the same-kind penalty of it.

Asserted on the order and ranks `rank` returns, so these hold whether the score shown is the
option's own score or its effective score after the penalty.
"""

import pytest

from advisor.models import Option
from advisor.ranking import SAME_KIND_PENALTY, rank


def option(iid: str, kind: str, score: float, amount: float | None = None) -> Option:
    return Option.model_validate(
        {
            "instrument_id": iid,
            "name": iid,
            "name_zh": iid,
            "kind": kind,
            "jurisdiction": "EU",
            "rank": 0,
            "score": score,
            "status": "active",
            "reasons": [],
            "max_amount": None if amount is None else {"amount": amount, "currency": "EUR"},
        }
    )


def order(options: list[Option]) -> list[str]:
    ranked = rank(options)
    assert [o.rank for o in ranked] == list(range(1, len(options) + 1))
    assert sorted(o.instrument_id for o in ranked) == sorted(o.instrument_id for o in options)
    return [o.instrument_id for o in ranked]


def test_the_penalty_is_a_real_margin() -> None:
    assert 0.5 <= SAME_KIND_PENALTY <= 5


def test_best_score_first_across_kinds() -> None:
    assert order(
        [option("b", "loan", 3.0), option("a", "grant", 7.0), option("c", "bond", 5.0)]
    ) == [
        "a",
        "c",
        "b",
    ]


@pytest.mark.parametrize("below", [0.01, 0.4, 1.0, 1.49])
def test_a_new_kind_within_the_penalty_ranks_above_a_second_of_a_ranked_kind(
    below: float,
) -> None:
    """Grant 9 after grant 10 is worth 9 - 1.5 = 7.5 to the list: a loan scoring within 1.5
    below the second grant comes before it."""
    loan = 9.0 - below
    assert order(
        [option("g1", "grant", 10.0), option("g2", "grant", 9.0), option("l", "loan", loan)]
    ) == [
        "g1",
        "l",
        "g2",
    ]


@pytest.mark.parametrize("below", [1.51, 2.0, 4.0])
def test_a_new_kind_further_below_than_the_penalty_stays_below(below: float) -> None:
    loan = 9.0 - below
    assert order(
        [option("g1", "grant", 10.0), option("g2", "grant", 9.0), option("l", "loan", loan)]
    ) == [
        "g1",
        "g2",
        "l",
    ]


def test_the_penalty_grows_with_each_option_of_the_kind_already_ranked() -> None:
    """A third grant carries twice the penalty: 9.8 - 3.0 = 6.8 < 7.5 (loan), whereas the second
    one's 9.9 - 1.5 = 8.4 > 7.5."""
    options = [
        option("g1", "grant", 10.0),
        option("g2", "grant", 9.9),
        option("g3", "grant", 9.8),
        option("l", "loan", 7.5),
    ]
    assert order(options) == ["g1", "g2", "l", "g3"]


def test_kinds_are_interleaved_when_scores_are_close() -> None:
    options = [
        option("g1", "grant", 6.0),
        option("g2", "grant", 5.9),
        option("l1", "loan", 5.8),
        option("l2", "loan", 5.7),
        option("b1", "bond", 5.6),
    ]
    assert order(options) == ["g1", "l1", "b1", "g2", "l2"]


def test_the_penalty_does_not_reorder_options_of_one_kind() -> None:
    options = [option("a", "grant", 4.0), option("b", "grant", 8.0), option("c", "grant", 6.0)]
    assert order(options) == ["b", "c", "a"]


def test_ties_go_to_the_larger_amount_then_the_id() -> None:
    options = [
        option("z", "grant", 5.0, amount=1_000_000),
        option("y", "loan", 5.0, amount=2_000_000),
        option("x", "bond", 5.0, amount=1_000_000),
    ]
    assert order(options) == ["y", "x", "z"]


def test_an_empty_list_ranks_to_an_empty_list() -> None:
    assert rank([]) == []
