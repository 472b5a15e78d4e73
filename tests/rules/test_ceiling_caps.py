"""The caps of rules/ceilings.py after the rate, with amounts worked out by hand.

Order (instrument_facts.md A19; docs/eligibility.md section 3): rate times each cost covered,
then the share of the total cost, then the maximum ticket (or the typical ticket where no
confirmed maximum is recorded); a cost the instrument covers but whose rate no source gives is
unknown, never the whole cost.
"""

import pytest

from rules.ceilings import Terms, applicable_rate, ceiling


def cap(terms: Terms, capex: float, development: float = 0.0):  # type: ignore[no-untyped-def]
    return ceiling(terms, capex=capex, development=development, region=None,
                   applicant="municipality")  # fmt: skip


def test_the_share_cap_is_of_the_total_cost_and_spreads_over_the_costs() -> None:
    """50% of 8,000,000 + 2,000,000 is 5,000,000: 4,000,000 of investment and 1,000,000 of
    development, in proportion."""
    got = cap(Terms("loan", ("investment", "development"), (), max_share=0.5), 8e6, 2e6)
    assert got.amount == pytest.approx(5e6)
    assert got.by_cost == pytest.approx({"investment": 4e6, "development": 1e6})
    assert got.binding == "share" and "at most 50% of the total cost" in got.basis


def test_an_amount_equal_to_the_maximum_ticket_is_not_capped() -> None:
    got = cap(Terms("grant", ("investment",), ({"rate": 0.5},), max_ticket=5e6), 10e6)
    assert got.amount == pytest.approx(5e6)
    assert got.binding == "rate" and "capped" not in got.basis


def test_the_maximum_ticket_caps_and_says_so() -> None:
    got = cap(Terms("grant", ("investment",), ({"rate": 0.5},), max_ticket=3e6), 10e6)
    assert got.amount == pytest.approx(3e6)
    assert got.by_cost == pytest.approx({"investment": 3e6})
    assert got.binding == "ticket" and "capped at the maximum ticket" in got.basis


@pytest.mark.parametrize(
    ("max_ticket", "confirmed", "amount", "binding"),
    [
        (None, True, 2e6, "typical"),  # no maximum recorded: the typical award
        (4e6, False, 2e6, "typical"),  # an unconfirmed maximum above the typical award
        (1e6, False, 1e6, "ticket"),  # an unconfirmed maximum below it still binds
        (4e6, True, 4e6, "ticket"),  # a confirmed maximum: the typical award does not cap
    ],
)
def test_the_typical_award_caps_where_no_confirmed_maximum_does(
    max_ticket: float | None, confirmed: bool, amount: float, binding: str
) -> None:
    terms = Terms("grant", ("investment",), ({"rate": 0.5},), max_ticket=max_ticket,
                  max_ticket_confirmed=confirmed, typical_high=2e6)  # fmt: skip
    got = cap(terms, 10e6)
    assert got.amount == pytest.approx(amount)
    assert got.binding == binding


def test_a_cost_without_a_rate_is_unknown_and_the_other_still_counts() -> None:
    """A grant covering investment (no rate recorded) and development (75%)."""
    terms = Terms("grant", ("investment", "development"),
                  ({"rate": 0.75, "costs": "development"},))  # fmt: skip
    got = cap(terms, 10e6, 1e6)
    assert got.by_cost == pytest.approx({"development": 750_000})
    assert got.amount == pytest.approx(750_000)
    assert got.known and "no confirmed ceiling for investment" in got.basis


def test_a_grant_without_any_rate_is_unknown() -> None:
    got = cap(Terms("grant", ("investment",), ()), 10e6)
    assert not got.known and got.amount == 0 and got.by_cost == {}
    assert "no confirmed ceiling for investment" in got.basis


def test_a_known_ceiling_does_not_claim_an_unknown_one() -> None:
    got = cap(Terms("grant", ("investment",), ({"rate": 0.5},)), 10e6)
    assert got.known and "no confirmed" not in got.basis and got.basis == "50% of investment cost"


def test_repayable_finance_without_a_stated_rate_can_carry_the_whole_cost() -> None:
    got = cap(Terms("loan", ("investment",), ()), 10e6)
    assert got.amount == pytest.approx(10e6) and got.known
    unconfirmed = cap(Terms("loan", ("investment",), (), rates_stated=False), 10e6)
    assert not unconfirmed.known and unconfirmed.amount == 0


def test_a_cost_of_one_euro_still_counts() -> None:
    terms = Terms(
        "technical_assistance", ("development",), ({"rate": 0.9, "costs": "development"},)
    )
    got = cap(terms, 10e6, 1.0)
    assert got.by_cost == pytest.approx({"development": 0.9})


def test_a_delivery_tool_carries_no_money() -> None:
    got = cap(Terms("delivery_tool", ("investment",), ({"rate": 0.5},)), 10e6)
    assert got.amount == 0 and got.by_cost == {}


def test_nothing_covered_says_so() -> None:
    got = cap(Terms("loan", ("development",), ()), 10e6, 0.0)
    assert got.amount == 0 and got.basis == "none of this project's costs"


def test_region_applicant_and_cost_are_named_not_positional() -> None:
    """Three strings in a row are easy to swap: the API takes them by name only."""
    with pytest.raises(TypeError):
        applicable_rate((), "investment", None, "municipality")  # type: ignore[misc]
    with pytest.raises(TypeError):
        ceiling(Terms("loan", ("investment",), ()), 1.0, 0.0, None, "municipality")  # type: ignore[misc]


def test_a_share_cap_above_the_rate_does_not_raise_the_amount() -> None:
    got = cap(Terms("grant", ("investment",), ({"rate": 0.5},), max_share=0.8), 10e6)
    assert got.amount == pytest.approx(5e6) and got.binding == "rate"


def test_an_amount_equal_to_the_typical_award_is_not_capped() -> None:
    got = cap(Terms("grant", ("investment",), ({"rate": 0.5},), typical_high=5e6), 10e6)
    assert got.amount == pytest.approx(5e6)
    assert got.binding == "rate" and "typical" not in got.basis


def test_a_delivery_tool_ceiling_is_known_to_be_zero() -> None:
    got = cap(Terms("delivery_tool", ("investment",), ()), 10e6)
    assert got.known and got.amount == 0
