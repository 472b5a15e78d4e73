"""Funding mixes on a small synthetic catalogue, with amounts worked out by hand.

Each case names a few instruments (rates, caps, tickets) and a project; the expected mixes
follow from the strategies' order of preference (advisor/mixes.py: a grant-led mix takes grants
first, a loan-led one loans first) and the limits alone: rate times cost, share of the total,
maximum and minimum tickets converted at the dated rate, one EU grant per cost line, at most
four components, pairs the catalogue forbids.
"""

import math
from datetime import date
from pathlib import Path

import pytest
import yaml

from tests.advisor.mix_builders import M, cents, eu_grant, loan, mixes, record, shapes
from tests.builders import make_profile

FX = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)
# The rows in force on the profiles' date, 2026-11-22: the table's 2026 row (first working day).
CNY_PER_EUR = next(
    r["per_eur"] for r in FX if (r["currency"], r["date"]) == ("CNY", date(2026, 1, 2))
)
USD_PER_EUR = next(
    r["per_eur"] for r in FX if (r["currency"], r["date"]) == ("USD", date(2026, 1, 2))
)
GBP_PER_EUR = next(
    r["per_eur"] for r in FX if (r["currency"], r["date"]) == ("GBP", date(2026, 1, 2))
)


def test_grant_first_then_loan_first() -> None:
    """A 50% EU grant and a loan capped at 60% of the cost, on 10,000,000: grants first gives
    5,000,000 + 5,000,000; loans first gives 6,000,000 + the grant's 4,000,000."""
    found = mixes([eu_grant("g50", 0.5), loan(max_share_of_cost=0.6)])
    assert shapes(found) == [
        {("g50", "investment"): 5_000_000 * M, ("loan", "investment"): 5_000_000 * M},
        {("loan", "investment"): 6_000_000 * M, ("g50", "investment"): 4_000_000 * M},
    ]
    for mix in found:
        assert mix.gap.amount == 0 and mix.funded.amount == 10_000_000
        assert mix.funded.currency == mix.gap.currency == "EUR"
    assert [c.share for c in found[0].components] == [0.5, 0.5]
    # named by what carries most of the money (a tie goes to the later name), and numbered
    # when two mixes share a name
    assert [m.label for m in found] == ["Loan-led", "Loan-led (alternative 2)"]
    assert [m.id for m in found] == ["loan_led", "loan_led_2"]
    assert found[0].notes and found[1].notes


def test_one_eu_grant_per_cost_line() -> None:
    """Two EU grants (70% and 50%) cannot fund one cost line together: the grant-led mix takes
    the 70% grant and the loan the remaining 3,000,000, rather than 70% + 30% of grants."""
    found = mixes([eu_grant("g70", 0.7), eu_grant("g50", 0.5), loan(max_share_of_cost=0.6)])
    assert shapes(found) == [
        {("g70", "investment"): 7_000_000 * M, ("loan", "investment"): 3_000_000 * M},
        {("loan", "investment"): 6_000_000 * M, ("g70", "investment"): 4_000_000 * M},
    ]
    assert [m.label for m in found] == ["Grant-led", "Loan-led"]


def test_two_grants_that_are_not_eu_funds_may_share_a_cost_line() -> None:
    grants = [record(f"n{i}", "grant", co_financing=[{"rate": 0.3}]) for i in (1, 2)]
    found = mixes(grants)
    assert shapes(found) == [
        {("n1", "investment"): 3_000_000 * M, ("n2", "investment"): 3_000_000 * M}
    ]
    assert found[0].gap.amount == 4_000_000


def test_at_most_four_components_the_best_ranked_first() -> None:
    """Six grants of 10% each: four of them, the best-ranked, fund 4,000,000."""
    grants = [record(f"g{i}", "grant", co_financing=[{"rate": 0.1}]) for i in range(6)]
    found = mixes(grants)
    assert shapes(found) == [{(f"g{i}", "investment"): 1_000_000 * M for i in range(4)}]
    assert found[0].gap.amount == 6_000_000


def test_a_forbidden_pair_is_never_combined() -> None:
    found = mixes([eu_grant("g50", 0.5, not_combinable_with=["loan"]), loan(max_share_of_cost=0.6)])
    assert {("g50", "investment"): 5_000_000 * M} in shapes(found)
    assert {("loan", "investment"): 6_000_000 * M} in shapes(found)
    for mix in found:
        assert {c.instrument_id for c in mix.components} != {"g50", "loan"}


def test_the_development_cost_is_converted_and_funded_on_its_own_line() -> None:
    """Development cost of 1,172,100 USD is 1,000,000 EUR at 1.1721 USD per EUR (2026-01-02);
    technical assistance at 90% of it funds 900,000; funded + gap is 11,000,000."""
    assert USD_PER_EUR == 1.1721
    profile = make_profile(
        capex={"amount": 10_000_000, "currency": "EUR"},
        development_cost={"amount": 1_172_100, "currency": "USD"},
    )
    ta = record(
        "ta90", "technical_assistance", costs_covered=["development"],
        co_financing=[{"rate": 0.9, "costs": "development"}],
    )  # fmt: skip
    found = mixes([ta, eu_grant("g50", 0.5), loan(max_share_of_cost=0.6)], profile)
    first = cents(found[0])
    assert first == {
        ("ta90", "development"): 900_000 * M,
        ("g50", "investment"): 5_000_000 * M,
        ("loan", "investment"): 5_000_000 * M,
    }
    for mix in found:
        assert round(mix.funded.amount * M) + round(mix.gap.amount * M) == 11_000_000 * M
        assert sum(v for (_, c), v in cents(mix).items() if c == "development") <= 900_000 * M
    assert found[0].gap.amount == 100_000
    # shares of the total of 11,000,000, to four decimals
    assert [c.share for c in found[0].components] == [0.0818, 0.4545, 0.4545]
    # development first, then the grant, then the loan
    assert [c.covers for c in found[0].components][0] == "development"


def test_a_maximum_ticket_in_another_currency_is_converted_at_the_dated_rate() -> None:
    """A grant of up to 7,000,000 CNY on a EUR project: 7,000,000 / 8.1973 EUR (2026-01-02), in
    whole cents rounded down."""
    grant = record("cn", "grant", co_financing=[{"rate": 1.0}], max_ticket=7_000_000,
                   ticket_currency="CNY")  # fmt: skip
    found = mixes([grant])
    assert shapes(found) == [{("cn", "investment"): math.floor(7_000_000 / CNY_PER_EUR * M)}]


def test_amounts_are_in_the_project_currency() -> None:
    profile = make_profile(capex={"amount": 8_000_000, "currency": "GBP"})
    grant = record("eur_capped", "grant", co_financing=[{"rate": 1.0}], max_ticket=1_000_000)
    found = mixes([eu_grant("g50", 0.5), grant], profile)
    assert all(c.amount.currency == "GBP" for m in found for c in m.components)
    assert cents(found[0]) == {
        ("g50", "investment"): 4_000_000 * M,
        ("eur_capped", "investment"): math.floor(1_000_000 * GBP_PER_EUR * M),
    }


def test_a_minimum_ticket_above_what_the_instrument_may_fund_leaves_it_out() -> None:
    too_big = loan("big_loan", min_ticket=20_000_000)
    found = mixes([eu_grant("g50", 0.5), too_big])
    assert shapes(found) == [{("g50", "investment"): 5_000_000 * M}]


def test_a_minimum_ticket_is_met_or_the_instrument_is_not_used() -> None:
    """A loan of at least 6,000,000 (and at most 60%) beside a 50% grant: the grant's 5,000,000
    would leave the loan 5,000,000, below its minimum; 4,000,000 of grant and the loan's
    6,000,000 fund the whole cost, which every strategy prefers to the grant alone."""
    found = mixes([eu_grant("g50", 0.5), loan(min_ticket=6_000_000, max_share_of_cost=0.6)])
    assert shapes(found) == [
        {("loan", "investment"): 6_000_000 * M, ("g50", "investment"): 4_000_000 * M}
    ]


def test_a_minimum_ticket_that_cannot_be_met_beside_the_rest_drops_the_instrument() -> None:
    """A loan of at least 6,000,000 but at most 50%: it can never be used."""
    found = mixes([eu_grant("g50", 0.5), loan(min_ticket=6_000_000, max_share_of_cost=0.5)])
    assert shapes(found) == [{("g50", "investment"): 5_000_000 * M}]


def test_the_exact_programme_honours_a_minimum_ticket_it_can_meet() -> None:
    """As the one-EU-grant case, with a loan of at least 2,000,000: the 3,000,000 beside the
    70% grant meets it, so the grant-led mix (solved exactly: two EU grants) keeps the loan."""
    found = mixes(
        [eu_grant("g70", 0.7), eu_grant("g50", 0.5),
         loan(min_ticket=2_000_000, max_share_of_cost=0.6)]
    )  # fmt: skip
    assert shapes(found) == [
        {("g70", "investment"): 7_000_000 * M, ("loan", "investment"): 3_000_000 * M},
        {("loan", "investment"): 6_000_000 * M, ("g70", "investment"): 4_000_000 * M},
    ]


def test_a_delivery_tool_carries_no_money() -> None:
    iti = record("iti", "delivery_tool")
    found = mixes([iti, eu_grant("g50", 0.5)])
    assert all(c.instrument_id != "iti" for m in found for c in m.components)


def test_a_delivery_tool_ranked_first_leaves_the_others_usable() -> None:
    """An ITI ranked above a 50% grant carries no money; the grant still funds 5,000,000."""
    found = mixes([record("iti", "delivery_tool"), eu_grant("g50", 0.5)])
    assert shapes(found) == [{("g50", "investment"): 5_000_000 * M}]


def test_a_grant_without_a_recorded_rate_is_not_used() -> None:
    found = mixes([record("no_rate", "grant"), loan(max_share_of_cost=0.6)])
    assert shapes(found) == [{("loan", "investment"): 6_000_000 * M}]


def test_private_finance_first() -> None:
    """A PPP structure carries the whole investment in the private-led mix."""
    found = mixes(
        [eu_grant("g50", 0.5), loan(max_share_of_cost=0.6), record("ppp", "ppp_structure")]
    )
    assert {("ppp", "investment"): 10_000_000 * M} in shapes(found)


@pytest.mark.parametrize("capex", [1_000.01, 123_456.78, 2_571_438_595.74])
def test_rounding_never_breaches_a_rate(capex: float) -> None:
    profile = make_profile(capex={"amount": capex, "currency": "EUR"})
    found = mixes([eu_grant("g33", 0.33), loan(max_share_of_cost=0.6)], profile)
    base = round(capex * M)
    for mix in found:
        amounts = cents(mix)
        assert amounts.get(("g33", "investment"), 0) <= base * 0.33
        assert amounts.get(("loan", "investment"), 0) <= base * 0.6
        assert sum(amounts.values()) + round(mix.gap.amount * M) == base
    assert cents(found[0])[("g33", "investment")] == math.floor(base * 0.33)


@pytest.mark.parametrize("capex", [900_000_000, 123_456_789.01])
def test_a_share_that_is_whole_cents_is_not_cut_by_float_error(capex: float) -> None:
    """A loan capped at 80% beside an instrument that may fund the whole cost, on a large project
    in yuan: the loan takes 80%, the other the remaining 20% to the cent, and nothing is left as
    a gap (0.2 of 90,000,000,000 cents is 18,000,000,000, not the 17,999,999,999.999996 that
    float arithmetic gives)."""
    profile = make_profile(capex={"amount": capex, "currency": "CNY"})
    found = mixes([loan("bank", max_share_of_cost=0.8), loan("whole", max_share_of_cost=1.0)],
                  profile)  # fmt: skip
    base = round(capex * M)
    both = [m for m in found if {c.instrument_id for c in m.components} == {"bank", "whole"}]
    assert both
    for mix in both:
        amounts = cents(mix)
        assert amounts[("bank", "investment")] == math.floor(base * 0.8)
        assert amounts[("whole", "investment")] == base - math.floor(base * 0.8)
        assert mix.gap.amount == 0


def test_components_are_listed_development_first_then_by_amount() -> None:
    found = mixes([eu_grant("g70", 0.7), eu_grant("g50", 0.5), loan(max_share_of_cost=0.6)])
    assert [c.instrument_id for c in found[0].components] == ["g70", "loan"]
    assert [c.instrument_id for c in found[1].components] == ["loan", "g70"]


def test_project_capital_caps_borrowed_money_and_the_grant_fills_the_rest() -> None:
    """A lender's record states that 20% of a Chinese project's investment must be the
    sponsor's own capital: loans fund at most 8,000,000 of 10,000,000, and the loan-led mix
    fills the rest with the grant rather than leaving a gap."""
    bank = loan("cn_bank", eligible_countries=["CN"], params={"project_capital_min_share": 0.2})
    grant = record("cn_grant", "grant", co_financing=[{"rate": 0.5}], eligible_countries=["CN"])
    profile = make_profile(country="CN", capex={"amount": 10_000_000, "currency": "CNY"})
    found = mixes([grant, bank], profile)
    assert shapes(found) == [
        {("cn_grant", "investment"): 5_000_000 * M, ("cn_bank", "investment"): 5_000_000 * M},
        {("cn_bank", "investment"): 8_000_000 * M, ("cn_grant", "investment"): 2_000_000 * M},
    ]
    assert any("project capital: at least 20%" in note for note in found[1].notes)
    assert any("fund at most 80%" in note for note in found[1].notes)


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        # the sponsor's 2,200,000 of capital pays the development line and 1,200,000 of the works
        (["investment"], {("cn_bank", "investment"): 8_800_000 * M}),
        # the loan funds both lines; the cap is on their sum, not on the works alone
        (
            ["investment", "development"],
            {("cn_bank", "development"): 1_000_000 * M, ("cn_bank", "investment"): 7_800_000 * M},
        ),
    ],
)
def test_project_capital_is_a_share_of_the_total_investment(
    costs: list[str], expected: dict[tuple[str, str], int]
) -> None:
    """Project capital is a share of the total investment, which is the fixed-asset investment,
    development costs included, plus working capital (Guofa [1996] 35 Part II): works of
    10,000,000 and development of 1,000,000 let loans fund at most 0.8 x 11,000,000."""
    bank = loan("cn_bank", eligible_countries=["CN"], costs_covered=costs,
                params={"project_capital_min_share": 0.2})  # fmt: skip
    profile = make_profile(
        country="CN",
        capex={"amount": 10_000_000, "currency": "CNY"},
        development_cost={"amount": 1_000_000, "currency": "CNY"},
    )
    found = mixes([bank], profile)
    assert shapes(found) == [expected]
    assert found[0].gap.amount == 2_200_000
    assert any("at least 20% of the total investment" in note for note in found[0].notes)
