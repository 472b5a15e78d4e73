"""Ceilings from the law: co-financing rates by region category, caps and tickets.

The rate table below is CPR Regulation (EU) 2021/1060 Art. 112(3) as the ERDF 2021-2027 record
states it: less developed 85%; transition 60%, or 70% where the region was less developed in
2014-2020; more developed 40%, or 50% where it was transition or less developed in 2014-2020.
Expected amounts are that rate times the cost, computed here from the clause.
"""

from datetime import date

import pytest

from rules.ceilings import Terms, applicable_rate, ceiling, confirmed_bound, region_period
from rules.eligibility import EligibilityRules
from tests.rules.packs import fired, record

CPR_112_3 = (
    {"rate": 0.85, "region_category": "less_developed"},
    {"rate": 0.6, "region_category": "transition"},
    {"rate": 0.7, "region_category": "transition", "previous_region_category": ["less_developed"]},
    {"rate": 0.4, "region_category": "more_developed"},
    {
        "rate": 0.5,
        "region_category": "more_developed",
        "previous_region_category": ["transition", "less_developed"],
    },
)


@pytest.mark.parametrize(
    ("region", "previous", "rate"),
    [
        ("less_developed", None, 0.85),  # Art. 112(3)(a)
        ("transition", None, 0.6),  # (c): the higher rate needs the 2014-20 category
        ("transition", "transition", 0.6),
        ("transition", "less_developed", 0.7),  # (b)
        ("more_developed", None, 0.4),  # (e)
        ("more_developed", "more_developed", 0.4),
        ("more_developed", "transition", 0.5),  # (d)
        ("more_developed", "less_developed", 0.5),  # (d)
        (None, None, 0.4),  # no category: the lowest ceiling
        (None, "less_developed", 0.4),
    ],
)
def test_cpr_article_112_3(region: str | None, previous: str | None, rate: float) -> None:
    found = applicable_rate(
        CPR_112_3, cost="investment", region=region, applicant="municipality",
        previous_region=previous,
    )  # fmt: skip
    assert found == rate


# CPR Regulation (EU) No 1303/2013 Art. 120(3) as the ERDF 2014-2020 record states it: less
# developed 80% (the lower bound of 80-85%), transition 60%, more developed 50% (point (e)). Each
# period has its own categories (Implementing Decisions 2014/99/EU and (EU) 2021/1130): Umbria
# was more developed in 2014-2020 and is a transition region in 2021-2027.
CPR_120_3 = (
    {"rate": 0.8, "region_category": "less_developed", "period": "2014-2020"},
    {"rate": 0.6, "region_category": "transition", "period": "2014-2020"},
    {"rate": 0.5, "region_category": "more_developed", "period": "2014-2020"},
)


@pytest.mark.parametrize(
    ("on", "region", "previous", "rate"),
    [
        ("2016-06-01", "less_developed", None, 0.8),  # a 2016 profile states its 2014-20 category
        ("2016-06-01", "transition", None, 0.6),
        ("2022-06-01", "transition", "more_developed", 0.5),  # Umbria in 2022: point (e)
        ("2022-06-01", "less_developed", "transition", 0.6),  # Sardegna in 2022: not 80%
        ("2022-06-01", "less_developed", None, 0.5),  # the 2014-20 category unknown: the lowest
        ("2023-12-31", "transition", None, 0.5),
    ],
)
def test_a_2014_2020_rate_is_read_by_the_2014_2020_category(
    on: str, region: str, previous: str | None, rate: float
) -> None:
    found = applicable_rate(
        CPR_120_3, cost="investment", region=region, applicant="municipality",
        previous_region=previous, period=region_period(date.fromisoformat(on)),
    )  # fmt: skip
    assert found == rate


def test_region_periods_follow_the_programme_periods() -> None:
    assert region_period(date(2013, 12, 31)) == "2007-2013"
    assert region_period(date(2014, 1, 1)) == "2014-2020"
    assert region_period(date(2020, 12, 31)) == "2014-2020"
    assert region_period(date(2021, 1, 1)) == "2021-2027"
    assert region_period(date(2029, 6, 1)) == "2021-2027"
    assert region_period(None) is None


def test_2021_2027_rates_read_in_2022_use_the_profile_category() -> None:
    rates = tuple({**r, "period": "2021-2027"} for r in CPR_112_3)
    found = applicable_rate(
        rates, cost="investment", region="transition", applicant="municipality",
        previous_region="less_developed", period=region_period(date(2022, 6, 1)),
    )  # fmt: skip
    assert found == 0.7  # Art. 112(3)(b)


def test_entries_for_another_cost_type_do_not_apply() -> None:
    rates = ({"rate": 0.9, "costs": "development"},)
    assert applicable_rate(rates, cost="investment", region=None, applicant="sme") is None
    assert applicable_rate(rates, cost="development", region=None, applicant="sme") == 0.9


def test_an_entry_naming_the_applicant_beats_the_general_one() -> None:
    # Horizon Europe: 100% in general, 70% for profit-making participants in innovation actions
    rates = ({"rate": 1.0}, {"rate": 0.7, "applicant": ["sme", "large_enterprise"]})
    assert applicable_rate(rates, cost="investment", region=None, applicant="sme") == 0.7
    assert applicable_rate(rates, cost="investment", region=None, applicant="municipality") == 1.0


def test_ceiling_is_rate_times_cost_per_cost_type() -> None:
    terms = Terms(
        kind="grant",
        costs=("investment", "development"),
        rates=({"rate": 0.5}, {"rate": 0.9, "costs": "development"}),
    )
    cap = ceiling(terms, capex=10e6, development=1e6, region=None, applicant="municipality")
    assert cap.by_cost == {"investment": 5e6, "development": 0.9e6}
    assert cap.amount == pytest.approx(5.9e6)
    assert cap.known


def test_share_cap_then_ticket() -> None:
    terms = Terms(kind="loan", costs=("investment",), rates=(), max_share=0.5, max_ticket=3e6)
    cap = ceiling(terms, capex=10e6, development=0.0, region=None, applicant="municipality")
    assert cap.amount == 3e6  # 100% -> 50% of 10m = 5m -> ticket 3m
    loose = Terms(kind="loan", costs=("investment",), rates=(), max_share=0.5)
    assert ceiling(loose, capex=10e6, development=0.0, region=None, applicant="x").amount == 5e6


def test_typical_ticket_bounds_an_amount_without_a_confirmed_maximum() -> None:
    typical = Terms(kind="grant", costs=("investment",), rates=({"rate": 0.6},), typical_high=2e6)
    cap = ceiling(typical, capex=10e6, development=0.0, region=None, applicant="municipality")
    assert cap.amount == 2e6
    unconfirmed = Terms(
        kind="grant", costs=("investment",), rates=({"rate": 0.6},), max_ticket=5e6,
        max_ticket_confirmed=False, typical_high=3e6,
    )  # fmt: skip
    assert (
        ceiling(unconfirmed, capex=10e6, development=0.0, region=None, applicant="x").amount == 3e6
    )
    confirmed = Terms(
        kind="grant", costs=("investment",), rates=({"rate": 0.6},), max_ticket=5e6,
        typical_high=3e6,
    )  # fmt: skip
    assert ceiling(confirmed, capex=10e6, development=0.0, region=None, applicant="x").amount == 5e6


def test_no_confirmed_rate_is_not_no_limit() -> None:
    grant = Terms(kind="grant", costs=("investment",), rates=())
    assert not ceiling(grant, capex=1e6, development=0.0, region=None, applicant="x").known
    loan_unconfirmed = Terms(kind="loan", costs=("investment",), rates=(), rates_stated=False)
    cap = ceiling(loan_unconfirmed, capex=1e6, development=0.0, region=None, applicant="x")
    assert not cap.known and cap.amount == 0
    loan = Terms(kind="loan", costs=("investment",), rates=())
    assert ceiling(loan, capex=1e6, development=0.0, region=None, applicant="x").amount == 1e6


def test_a_delivery_tool_carries_no_money() -> None:
    tool = Terms(kind="delivery_tool", costs=("investment",), rates=({"rate": 0.85},))
    assert ceiling(tool, capex=1e6, development=0.0, region=None, applicant="x").amount == 0


def test_confirmed_bound_leaves_out_what_no_source_confirmed() -> None:
    """Only confirmed limits bound what may exclude on a minimum ticket (docs/eligibility.md)."""
    from rules.ceilings import confirmed_bound

    project = {"capex": 40e6, "development": 0.0, "region": None, "applicant": "municipality"}
    confirmed = Terms(kind="loan", costs=("investment",), rates=(), max_share=0.5)
    assert confirmed_bound(confirmed, **project) == 20e6
    unconfirmed_share = Terms(
        kind="loan", costs=("investment",), rates=(), max_share=0.5, share_confirmed=False
    )
    assert confirmed_bound(unconfirmed_share, **project) == 40e6
    # an unknown grant rate counts as the whole cost; an unconfirmed rate table is left out
    assert confirmed_bound(Terms(kind="grant", costs=("investment",), rates=()), **project) == 40e6
    rated = Terms(kind="grant", costs=("investment",), rates=({"rate": 0.6},), rates_stated=False)
    assert confirmed_bound(rated, **project) == 40e6
    stated = Terms(kind="grant", costs=("investment",), rates=({"rate": 0.6},))
    assert confirmed_bound(stated, **project) == 24e6
    ticket = Terms(kind="loan", costs=("investment",), rates=(), max_ticket=5e6)
    assert confirmed_bound(ticket, **project) == 5e6
    loose = Terms(kind="loan", costs=("investment",), rates=(), max_ticket=5e6,
                  max_ticket_confirmed=False, typical_high=1e6)  # fmt: skip
    assert confirmed_bound(loose, **project) == 40e6
    tool = Terms(kind="delivery_tool", costs=("investment",), rates=())
    assert confirmed_bound(tool, **project) == 0.0
    assert confirmed_bound(stated, **{**project, "capex": 0.0}) == 0.0


# Guofa [2019] No. 26 Part II: at least 20% of a project's total investment is its own capital,
# so borrowed money (loans and bonds, under any market standard) funds at most 80% of it. The
# total investment is the fixed-asset investment plus working capital (Guofa [1996] No. 35
# Part II), so development costs (feasibility, design, tendering) are part of the base.
GUOFA_2019_26 = (0.8, "Guofa [2019] No. 26, Part II(4)-(5)")


@pytest.mark.parametrize("kind", ["bond", "loan"])
def test_borrowed_money_stops_at_the_project_capital_rule(kind: str) -> None:
    """Capex 100 and development 10: the total investment is 110, borrowed money at most 88."""
    terms = Terms(kind=kind, costs=("investment", "development"), rates=())
    cap = ceiling(terms, capex=100.0, development=10.0, region=None, applicant="municipal_company",
                  borrowing=GUOFA_2019_26)  # fmt: skip
    assert cap.amount == pytest.approx(88.0)
    assert sum(cap.by_cost.values()) == pytest.approx(88.0)
    assert cap.binding == "capital"
    assert cap.source(terms) == GUOFA_2019_26[1]
    assert "80% of the total investment (project capital)" in cap.basis


def test_borrowed_money_for_the_works_alone_may_reach_the_share_of_the_total_investment() -> None:
    """A loan for the works only, capex 100 and development 10: the sponsor's 22 of capital may
    pay the development costs and 12 of the works, so the loan may reach 88 (not 80)."""
    loan = Terms(kind="loan", costs=("investment",), rates=())
    project = dict(capex=100.0, development=10.0, region=None, applicant="municipal_company")
    cap = ceiling(loan, **project, borrowing=GUOFA_2019_26)
    assert (cap.amount, cap.by_cost) == (pytest.approx(88.0), {"investment": pytest.approx(88.0)})
    assert confirmed_bound(loan, **project, borrowing=GUOFA_2019_26) == pytest.approx(88.0)
    both = Terms(kind="loan", costs=("investment", "development"), rates=())
    assert confirmed_bound(both, **project, borrowing=GUOFA_2019_26) == pytest.approx(88.0)


def test_the_project_capital_rule_leaves_other_money_and_lower_caps_alone() -> None:
    ppp = Terms(kind="ppp_structure", costs=("investment",), rates=())
    assert ceiling(ppp, capex=100.0, development=0.0, region=None, applicant="municipal_company",
                   borrowing=GUOFA_2019_26).amount == pytest.approx(100.0)  # fmt: skip
    loan = Terms(kind="loan", costs=("investment",), rates=({"rate": 0.5},))
    cap = ceiling(loan, capex=100.0, development=0.0, region=None, applicant="municipal_company",
                  borrowing=GUOFA_2019_26)  # fmt: skip
    assert (cap.amount, cap.binding) == (pytest.approx(50.0), "rate")


def test_the_confirmed_bound_keeps_borrowed_money_within_project_capital() -> None:
    project = dict(capex=100.0, development=0.0, region=None, applicant="municipal_company")
    loan = Terms(kind="loan", costs=("investment",), rates=())
    assert confirmed_bound(loan, **project) == pytest.approx(100.0)
    assert confirmed_bound(loan, **project, borrowing=GUOFA_2019_26) == pytest.approx(80.0)
    grant = Terms(kind="grant", costs=("investment",), rates=())
    assert confirmed_bound(grant, **project, borrowing=GUOFA_2019_26) == pytest.approx(100.0)


@pytest.mark.parametrize(("capex", "excluded"), [(10e6, True), (12e6, False)])
def test_a_minimum_ticket_beyond_the_borrowable_share_excludes(
    capex: float, excluded: bool
) -> None:
    """A lender that lends at least EUR 9m cannot lend to a EUR 10m project whose capital must
    be 20% of it (at most EUR 8m borrowed); to a EUR 12m one it can (EUR 9.6m)."""
    loan = record(id="cn_bank", kind="loan", min_ticket=9e6, eligible_countries=["CN"])
    rules = fired(EligibilityRules, {"country": "CN", "capex": {"amount": capex}}, loan,
                  borrowing=GUOFA_2019_26)  # fmt: skip
    assert ("exclude_costs_below_minimum_ticket" in rules) is excluded
    assert "exclude_costs_below_minimum_ticket" not in fired(
        EligibilityRules, {"country": "CN", "capex": {"amount": 10e6}}, loan
    )
