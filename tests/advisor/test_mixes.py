"""Funding mixes on a small synthetic catalogue, with amounts worked out by hand.

Each case names a few instruments (rates, caps, tickets) and a project; the expected mixes
follow from the strategies' order of preference (advisor/mixes.py: a grant-led mix takes grants
first, a loan-led one loans first) and the limits alone: rate times cost, share of the total,
maximum and minimum tickets converted at the dated rate, one EU grant per cost line, at most
four components, pairs the catalogue forbids.
"""

import math
import random
import threading
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from advisor.mixes import Usable, _to_cents, compose
from advisor.models import Mix, Option, ProjectProfile
from advisor.money import Converter
from catalogue.datafiles import load
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from tests.builders import make_profile

SOURCE = {"document": "test", "reference": "synthetic record", "supports": []}
FX = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)
FX_RATES = load().fx_rates
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


def record(iid: str, kind: str, **fields: Any) -> InstrumentRecord:
    data: dict[str, Any] = {
        "id": iid,
        "name_en": iid,
        "name_zh": iid,
        "kind": kind,
        "jurisdiction": "GLOBAL",
        "description": "test instrument",
        "costs_covered": ["investment"],
        "status": "active",
        "sources": [SOURCE],
    }
    data.update(fields)
    return InstrumentRecord.model_validate(data)


def eu_grant(iid: str, rate: float, **fields: Any) -> InstrumentRecord:
    return record(iid, "grant", eu_funds=True, co_financing=[{"rate": rate}], **fields)


def loan(iid: str = "loan", **fields: Any) -> InstrumentRecord:
    return record(iid, "loan", **fields)


def mixes(records: list[InstrumentRecord], profile: ProjectProfile | None = None) -> list[Mix]:
    profile = profile or make_profile(capex={"amount": 10_000_000, "currency": "EUR"})
    snapshot = Snapshot("test", tuple(records), (), FX_RATES)
    options = [
        Option.model_validate(
            {
                "instrument_id": r.id,
                "name": r.id,
                "name_zh": r.id,
                "kind": r.kind,
                "jurisdiction": r.jurisdiction,
                "rank": i + 1,
                "score": float(len(records) - i),
                "status": "active",
                "reasons": [],
            }
        )  # fmt: skip
        for i, r in enumerate(records)
    ]
    assert profile.as_of is not None
    return compose(
        options=options,
        snapshot=snapshot,
        profile=profile,
        money=Converter(snapshot, profile.as_of),
    )


def cents(mix: Mix) -> dict[tuple[str, str], int]:
    return {(c.instrument_id, c.covers): round(c.amount.amount * 100) for c in mix.components}


def shapes(found: list[Mix]) -> list[dict[tuple[str, str], int]]:
    return [cents(m) for m in found]


M = 100  # cents per unit of currency


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


def test_a_delivery_tool_carries_no_money() -> None:
    iti = record("iti", "delivery_tool")
    found = mixes([iti, eu_grant("g50", 0.5)])
    assert all(c.instrument_id != "iti" for m in found for c in m.components)


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


# --- the repair after the solver: limits hold to the cent whatever its tolerance ------------


def usable(iid: str, kind: str, upper: int, cap: int, *, min_ticket: int = 0,
           eu_grant: bool = False, debt: bool = False) -> Usable:  # fmt: skip
    rec = record(iid, kind)
    option = Option.model_validate(
        {"instrument_id": iid, "name": iid, "name_zh": iid, "kind": kind, "jurisdiction": "GLOBAL",
         "rank": 1, "score": 1.0, "status": "active", "reasons": []}
    )  # fmt: skip
    return Usable(option, rec, {"investment": upper}, cap, min_ticket, eu_grant, debt)


BASE = {"investment": 100_000, "development": 0}  # 1,000.00 in cents


def repaired(shares: list[float], parts: list[Usable], debt_cap: int | None = None) -> dict:  # type: ignore[type-arg]
    x_at = {(i, "investment"): i for i in range(len(parts))}
    out = _to_cents(np.array(shares), x_at, set(range(len(parts))), parts, BASE, debt_cap)
    return {parts[i].record.id: v for (i, _), v in out.items()}


def test_repair_keeps_only_the_larger_of_two_eu_grants_on_one_line() -> None:
    parts = [
        usable("small", "grant", 50_000, 50_000, eu_grant=True),
        usable("large", "grant", 60_000, 60_000, eu_grant=True),
    ]
    assert repaired([0.3, 0.6], parts) == {"large": 60_000}


def test_repair_cuts_to_the_cap_to_the_cent() -> None:
    parts = [usable("capped", "loan", 60_000, 50_000)]
    assert repaired([0.55], parts) == {"capped": 50_000}
    assert repaired([0.50001], parts) == {"capped": 50_000}  # one cent over
    assert repaired([0.4], parts) == {"capped": 40_000}


def test_repair_drops_an_amount_below_the_minimum_ticket() -> None:
    parts = [usable("min", "loan", 60_000, 60_000, min_ticket=40_000)]
    assert repaired([0.3], parts) == {}
    assert repaired([0.00001], parts) == {}  # one cent
    assert repaired([0.45], parts) == {"min": 45_000}


def test_repair_never_funds_more_than_the_cost_cutting_the_smallest_first() -> None:
    parts = [usable("a", "loan", 70_000, 70_000), usable("b", "bond", 40_000, 40_000)]
    assert repaired([0.7, 0.4], parts) == {"a": 70_000, "b": 30_000}
    assert repaired([0.7, 0.30001], parts) == {"a": 70_000, "b": 30_000}  # one cent over


def test_repair_holds_borrowed_money_to_the_project_capital_cap() -> None:
    parts = [
        usable("big", "loan", 50_000, 50_000, debt=True),
        usable("small", "loan", 30_000, 30_000, min_ticket=15_000, debt=True),
        usable("grant", "grant", 20_000, 20_000),
    ]
    # 80,000 of debt against a cap of 60,000: the smaller loan is cut to 10,000, below its
    # minimum ticket of 15,000, so it goes; the grant is not debt
    assert repaired([0.5, 0.3, 0.2], parts, debt_cap=60_000) == {"big": 50_000, "grant": 20_000}
    assert repaired([0.5, 0.3, 0.2], parts, debt_cap=75_000) == {
        "big": 50_000, "small": 25_000, "grant": 20_000,
    }  # fmt: skip


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


# --- ties and determinism (advisor/mixes_lp.py: the secondary objective) ---------------------


def ranked_mixes(
    records: list[InstrumentRecord],
    ranks: dict[str, int],
    profile: ProjectProfile | None = None,
    score: float = 1.0,
) -> list[Mix]:
    """The mixes from options of one score, ranked as `ranks` says, given in `records`' order."""
    profile = profile or make_profile(capex={"amount": 10_000_000, "currency": "EUR"})
    snapshot = Snapshot("test", tuple(records), (), FX_RATES)
    options = [
        Option.model_validate(
            {
                "instrument_id": r.id,
                "name": r.id,
                "name_zh": r.id,
                "kind": r.kind,
                "jurisdiction": r.jurisdiction,
                "rank": ranks[r.id],
                "score": score,
                "status": "active",
                "reasons": [],
            }
        )  # fmt: skip
        for r in records
    ]
    assert profile.as_of is not None
    return compose(
        options=options, snapshot=snapshot, profile=profile,
        money=Converter(snapshot, profile.as_of),
    )  # fmt: skip


def test_a_tie_between_two_options_goes_to_the_better_ranked() -> None:
    """Two loans of one score, each up to 60% of 10,000,000: every strategy values them alike,
    so the better-ranked takes its 6,000,000 and the other the remaining 4,000,000, whichever
    order the options come in."""
    first, second = loan("first", max_share_of_cost=0.6), loan("second", max_share_of_cost=0.6)
    expected = [{("first", "investment"): 6_000_000 * M, ("second", "investment"): 4_000_000 * M}]
    ranks = {"first": 1, "second": 2}
    assert shapes(ranked_mixes([first, second], ranks)) == expected
    assert shapes(ranked_mixes([second, first], ranks)) == expected
    swapped = {"first": 2, "second": 1}
    assert shapes(ranked_mixes([first, second], swapped)) == [
        {("second", "investment"): 6_000_000 * M, ("first", "investment"): 4_000_000 * M}
    ]


BOTH_LINES = [{"rate": 1.0, "costs": "development"}, {"rate": 1.0, "costs": "investment"}]


def test_the_better_ranked_option_takes_the_development_line_in_a_tie() -> None:
    """A grant and a loan each fund either cost line, at most half of 11,000,000: each funds
    5,500,000 whichever line it is on, so which one funds the 1,000,000 of development is a
    tie, and it goes to the better-ranked."""
    profile = make_profile(
        capex={"amount": 10_000_000, "currency": "EUR"},
        development_cost={"amount": 1_000_000, "currency": "EUR"},
    )
    grant = record("grant", "grant", costs_covered=["development", "investment"],
                   co_financing=BOTH_LINES, max_share_of_cost=0.5)  # fmt: skip
    lender = loan("loan", costs_covered=["development", "investment"],
                  co_financing=BOTH_LINES, max_share_of_cost=0.5)  # fmt: skip
    for ranks in ({"grant": 1, "loan": 2}, {"grant": 2, "loan": 1}):
        best, other = sorted(ranks, key=ranks.__getitem__)
        expected = {
            (best, "development"): 1_000_000 * M,
            (best, "investment"): 4_500_000 * M,
            (other, "investment"): 5_500_000 * M,
        }
        for records in ([grant, lender], [lender, grant]):
            found = ranked_mixes(records, ranks, profile)
            assert found and all(cents(m) == expected for m in found)


def test_the_same_short_list_gives_the_same_mixes_in_any_order_after_any_other_solve() -> None:
    """Seven options with ties among them: every order of the options, solved after other
    short lists on this thread's model or on a new thread's, gives identical mixes."""
    profile = make_profile(
        capex={"amount": 12_345_678.9, "currency": "EUR"},
        development_cost={"amount": 654_321, "currency": "EUR"},
    )
    records = [
        eu_grant("g70", 0.7), eu_grant("g50", 0.5),
        record("grant", "grant", costs_covered=["development", "investment"],
               co_financing=BOTH_LINES, max_share_of_cost=0.3),
        loan("l1", max_share_of_cost=0.6), loan("l2", max_share_of_cost=0.6, min_ticket=2e6),
        loan("l3", costs_covered=["development", "investment"], co_financing=BOTH_LINES),
        record("ppp", "ppp_structure", max_share_of_cost=0.8),
    ]  # fmt: skip
    ranks = {r.id: i + 1 for i, r in enumerate(records)}
    reference = ranked_mixes(records, ranks, profile)
    assert reference
    rng = random.Random(13)
    for _ in range(8):
        shuffled = rng.sample(records, len(records))
        mixes([eu_grant("g33", 0.33), loan(max_share_of_cost=0.6)])  # another short list first
        assert ranked_mixes(shuffled, ranks, profile) == reference
    elsewhere: list[list[Mix]] = []
    thread = threading.Thread(
        target=lambda: elsewhere.append(ranked_mixes(records, ranks, profile))
    )
    thread.start()
    thread.join()
    assert elsewhere == [reference]


def test_repair_keeps_a_loan_cut_to_exactly_its_minimum_ticket() -> None:
    """80,000 of debt against a cap of 65,000: the smaller loan is cut to 15,000, which is its
    minimum ticket, so it stays."""
    parts = [
        usable("big", "loan", 50_000, 50_000, debt=True),
        usable("small", "loan", 30_000, 30_000, min_ticket=15_000, debt=True),
        usable("grant", "grant", 20_000, 20_000),
    ]
    assert repaired([0.5, 0.3, 0.2], parts, debt_cap=65_000) == {
        "big": 50_000, "small": 15_000, "grant": 20_000,
    }  # fmt: skip


def test_a_delivery_tool_ranked_first_leaves_the_others_usable() -> None:
    """An ITI ranked above a 50% grant carries no money; the grant still funds 5,000,000."""
    found = mixes([record("iti", "delivery_tool"), eu_grant("g50", 0.5)])
    assert shapes(found) == [{("g50", "investment"): 5_000_000 * M}]
