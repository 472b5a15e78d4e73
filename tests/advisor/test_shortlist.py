"""The answer's lists: a short list of options, what to check, the rest also eligible.

Synthetic catalogues isolate each behaviour (docs/eligibility.md, sections 2-4); expected values
follow from the records and the profile, never from the engine's own output.
"""

from datetime import date
from typing import Any

import pytest

from advisor.advice import advise, status_on
from catalogue.datafiles import SeedData
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from tests.builders import make_profile

SOURCE = {"document": "test", "reference": "test", "supports": ["*"]}


def record(ident: str, **overrides: Any) -> InstrumentRecord:
    data: dict[str, Any] = {
        "id": ident,
        "name_en": ident,
        "name_zh": ident,
        "kind": "loan",
        "jurisdiction": "GLOBAL",
        "description": "test instrument",
        "costs_covered": ["investment"],
        "sectors": ["street_lighting", "transport"],  # the test profiles' sectors: a fit
        "status": "active",
        "sources": [SOURCE],
    }
    data.update(overrides)
    return InstrumentRecord.model_validate(data)


def catalogue(seed_data: SeedData, *records: InstrumentRecord) -> Snapshot:
    """A catalogue of `records` only; its own revision, so no cached engine of another
    catalogue answers for it."""
    revision = "test-" + str(abs(hash(tuple(r.model_dump_json() for r in records))))
    return Snapshot(
        revision=revision, instruments=records, business_models=(), fx_rates=seed_data.fx_rates
    )


def ids(items: Any) -> list[str]:
    return [item.instrument_id for item in items]


def test_an_unconfirmed_eligibility_fact_sends_the_option_to_check(seed_data: SeedData) -> None:
    snap = catalogue(
        seed_data,
        record("confirmed", applicant_types=["municipality"]),
        record("unconfirmed", applicant_types=["municipality"], unconfirmed=["applicant_types"]),
    )
    advice = advise(make_profile(), snap)
    assert ids(advice.options) == ["confirmed"]
    assert ids(advice.to_check) == ["unconfirmed"]
    (entry,) = advice.to_check
    assert any("applicant_types" in line for line in entry.verify)
    assert all(c.instrument_id != "unconfirmed" for m in advice.mixes for c in m.components)


def test_what_to_verify_shows_the_catalogue_values_as_an_officer_reads_them(
    seed_data: SeedData,
) -> None:
    """The lines of unconfirmed eligibility give the record's values in plain form: ISO
    dates, reach windows with their countries, dates and basis, amounts with the ticket
    currency; never a Python repr."""
    basis = "member state until 2020-01-31; Withdrawal Agreement Art. 138"
    snap = catalogue(
        seed_data,
        record(
            "unconfirmed",
            eligible_countries=["@EU27"],
            reach=[{"countries": ["GB"], "valid_to": "2020-12-31", "basis": basis}],
            valid_from="2014-01-01",
            min_ticket=250000,
            ticket_currency="EUR",
            costs_covered=["investment", "development"],
            unconfirmed=["reach", "valid_from", "min_ticket", "costs_covered"],
        ),
    )
    advice = advise(make_profile(country="GB", as_of=date(2016, 6, 1)), snap)
    (entry,) = advice.to_check
    lines = {line.split(":", 1)[0]: line for line in entry.verify}
    assert f"GB to 2020-12-31 ({basis})" in lines["reach"]
    assert "holds 2014-01-01," in lines["valid_from"]
    assert "holds 250,000 EUR," in lines["min_ticket"]
    assert "holds [investment, development]," in lines["costs_covered"]
    for line in entry.verify:
        assert "datetime" not in line and "ReachWindow(" not in line and "'" not in line


def test_a_failed_test_on_an_unconfirmed_value_is_to_check_not_excluded(
    seed_data: SeedData,
) -> None:
    snap = catalogue(seed_data, record("soft", sectors=["water"], unconfirmed=["sectors"]))
    advice = advise(make_profile(sector="transport"), snap)
    assert ids(advice.to_check) == ["soft"] and not advice.excluded and not advice.options


def test_a_grant_without_a_confirmed_rate_is_to_check(seed_data: SeedData) -> None:
    snap = catalogue(seed_data, record("grant", kind="grant"))
    advice = advise(make_profile(), snap)
    assert ids(advice.to_check) == ["grant"]
    assert advice.to_check[0].max_amount is None
    assert not advice.mixes


def test_an_unknown_amount_is_not_read_as_zero(seed_data: SeedData) -> None:
    """A grant with no confirmed rate may fund anything up to the whole cost: the reason says
    the amount is unconfirmed, never that it funds EUR 0, and the officer is told to verify the
    rate."""
    snap = catalogue(seed_data, record("grant", kind="grant"))
    (entry,) = advise(make_profile(), snap).to_check
    (coverage,) = [r for r in entry.reasons if r.rule == "score_cost_coverage"]
    assert (
        coverage.text
        == "how much it can fund is not confirmed: no confirmed ceiling for investment"
    )
    assert "co-financing ceiling: no source gives the rate for this project's costs" in entry.verify


def test_no_share_cap_asks_for_the_capacity_not_a_rate(seed_data: SeedData) -> None:
    """A record that states no share cap applies (the city's own budget) is to check for the
    capacity behind it, in the record's own words, not for a co-financing rate."""
    why = "the city's own money: no external share cap"
    own = record(
        "own_budget", kind="grant", not_applicable={"co_financing": why, "max_share_of_cost": why}
    )
    (entry,) = advise(make_profile(), catalogue(seed_data, own)).to_check
    assert entry.instrument_id == "own_budget" and entry.max_amount is None
    assert entry.verify == [f"amount: {why}; the capacity behind it sets the amount: verify it"]


def test_an_unconfirmed_rate_uses_the_lowest_entry(seed_data: SeedData) -> None:
    rates = [
        {"rate": 0.85, "region_category": "less_developed"},
        {"rate": 0.4, "region_category": "more_developed"},
    ]
    snap = catalogue(seed_data, record("g", kind="grant", co_financing=rates))
    advice = advise(make_profile(region_category=None, capex={"amount": 1e6}), snap)
    assert advice.options[0].max_amount is not None
    assert advice.options[0].max_amount.amount == pytest.approx(400_000)


def test_options_are_at_most_the_limit_and_the_rest_also_eligible(seed_data: SeedData) -> None:
    kinds = [
        "loan",
        "bond",
        "guarantee",
        "equity",
        "financial_instrument",
        "crowdfunding",
        "procurement",
    ]
    records = [
        record(
            f"r_{i:02d}", kind=kinds[i % 7], cost_of_money="free", max_share_of_cost=0.1 + 0.05 * i
        )
        for i in range(14)
    ]
    snap = catalogue(seed_data, *records)
    advice = advise(make_profile(), snap)
    assert len(advice.options) == 10
    assert len(advice.also_eligible) == 4
    assert all("short list of 10" in a.why_lower for a in advice.also_eligible)
    wider = advise(make_profile(), snap, limit=20)
    assert len(wider.options) == 14 and not wider.also_eligible


def test_rank_follows_the_score_shown(seed_data: SeedData) -> None:
    records = [record(f"loan_{i}", max_share_of_cost=0.2 + 0.1 * i) for i in range(5)]
    records += [record(f"bond_{i}", kind="bond", max_share_of_cost=0.3 + 0.1 * i) for i in range(3)]
    advice = advise(make_profile(), catalogue(seed_data, *records))
    assert [o.rank for o in advice.options] == list(range(1, len(advice.options) + 1))
    scores = [o.score for o in advice.options]
    assert scores == sorted(scores, reverse=True)
    # the same-kind penalty is part of the score, and a reason says so
    second_loan = [o for o in advice.options if o.kind == "loan"][1]
    assert any(r.rule == "rank_route_diversity" for r in second_loan.reasons)


def test_no_option_with_a_zero_amount(seed_data: SeedData) -> None:
    snap = catalogue(
        seed_data,
        record("dev_only", costs_covered=["development"]),
        record("tool", kind="delivery_tool"),
        record("capex", costs_covered=["investment"]),
    )
    advice = advise(make_profile(), snap)  # no development cost in the profile
    assert ids(advice.options) == ["capex"]
    assert sorted(ids(advice.also_eligible)) == ["dev_only", "tool"]
    assert all(o.max_amount and o.max_amount.amount > 0 for o in advice.options)


def test_a_later_phase_keeps_the_option_and_says_so(seed_data: SeedData) -> None:
    snap = catalogue(seed_data, record("deploy_loan", stages=["deployment"]))
    advice = advise(make_profile(stage="planning"), snap)
    (option,) = advice.options
    assert option.phase == "deployment" and option.later
    (mix,) = advice.mixes
    assert any("deployment phase" in note for note in mix.notes)
    gone = advise(make_profile(stage="operation"), snap)
    assert ids(gone.excluded) == ["deploy_loan"]


def test_mix_labels_follow_their_content(seed_data: SeedData) -> None:
    snap = catalogue(seed_data, record("loan_a", max_share_of_cost=0.8))
    advice = advise(make_profile(), snap)
    assert advice.mixes and all(m.label == "Loan-led" for m in advice.mixes[:1])
    for mix in advice.mixes:
        kinds = {c.instrument_id for c in mix.components}
        if mix.label.startswith("Grant-led"):
            assert kinds & {"grant"}


def test_china_mix_keeps_twenty_percent_project_capital(seed_data: SeedData) -> None:
    capital = {"project_capital_min_share": 0.2}
    snap = catalogue(
        seed_data,
        record("cn_loan", eligible_countries=["CN"], params=capital),
        record("cn_bond", kind="bond", eligible_countries=["CN"]),
    )
    profile = make_profile(
        country="CN", sector="transport", capex={"amount": 100_000_000, "currency": "CNY"}
    )
    advice = advise(profile, snap)
    assert advice.mixes
    for mix in advice.mixes:
        debt = sum(c.amount.amount for c in mix.components)
        assert debt <= 80_000_000
        assert mix.gap.amount >= 20_000_000


def test_status_follows_the_advice_date() -> None:
    closed = record("h", status="closed", valid_from="2014-01-01", valid_to="2020-12-31")
    assert status_on(closed, date(2015, 1, 1)) == "active"
    assert status_on(closed, date(2021, 1, 1)) == "closed"
    lgfv = record("l", status="prohibited", prohibited_from="2014-10-02")
    assert status_on(lgfv, date(2014, 6, 15)) == "active"
    assert status_on(lgfv, date(2014, 10, 2)) == "prohibited"
    late = record("g", valid_from="2015-12-22")
    assert status_on(late, date(2014, 8, 1)) == "not_yet_open"
