"""What the eligibility and scoring rules say, not only whether they fire: thresholds and
hints, whether a failure is fixable, boundaries of dates, the texts and sources of scores.

Through the whole engine, on small synthetic catalogues (a record states only what the case
needs) or the real one.
"""

from itertools import count
from typing import Any

import pytest

from advisor.engine import (
    Finding,
    catalogue_facts,
    citation,
    instrument_fact,
    model_fact,
    project_fact,
    runner_for,
)
from advisor.money import Converter
from catalogue.datafiles import load
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import PUBLIC_REVENUE
from tests.builders import make_profile

DATA = load()
REAL = Snapshot(DATA.revision, DATA.instruments, DATA.business_models, DATA.fx_rates)
SOURCE = {"document": "test", "reference": "synthetic record", "supports": []}
_revision = count()


def record(iid: str = "x", kind: str = "loan", **fields: Any) -> InstrumentRecord:
    data: dict[str, Any] = {
        "id": iid, "name_en": iid, "name_zh": iid, "kind": kind, "jurisdiction": "GLOBAL",
        "description": "test instrument", "costs_covered": ["investment"], "status": "active",
        "sources": [SOURCE],
    }  # fmt: skip
    data.update(fields)
    return InstrumentRecord.model_validate(data)


def run(snapshot: Snapshot, **overrides: Any) -> list[Finding]:
    profile = make_profile(**overrides)
    assert profile.as_of is not None
    money = Converter(snapshot, profile.as_of)

    def build() -> list:  # type: ignore[type-arg]
        return catalogue_facts(
            [instrument_fact(r, money.to_eur) for r in snapshot.instruments],
            [model_fact(m) for m in snapshot.business_models],
        )

    return runner_for((snapshot.revision, money.key()), build).run(
        project_fact(profile, money.to_eur)
    )


def synthetic(*records: InstrumentRecord) -> Snapshot:
    return Snapshot(f"synthetic-{next(_revision)}", records, (), DATA.fx_rates)


def failed(found: list[Finding], rule: str) -> list[Finding]:
    return [f for f in found if f.kind == "criterion" and f.rule == rule]


def scores(found: list[Finding], rule: str) -> dict[str, Finding]:
    return {f.instrument: f for f in found if f.kind == "score" and f.rule == rule}


# --- eligibility ---------------------------------------------------------------------------


def test_revenue_required_of_any_kind() -> None:
    snapshot = synthetic(record(revenue_required=True))
    fails = failed(run(snapshot, revenue_streams=[]), "exclude_without_required_revenue")
    assert len(fails) == 1
    assert fails[0].threshold == "project revenue" and fails[0].value == "none"
    assert fails[0].fixable and fails[0].hard
    assert not failed(run(snapshot, revenue_streams=["user_fees"]),
                      "exclude_without_required_revenue")  # fmt: skip


def test_revenue_of_a_named_kind() -> None:
    snapshot = synthetic(record(revenue_streams_any=["user_fees"]))
    fails = failed(run(snapshot, revenue_streams=["advertising"]),
                   "exclude_without_accepted_revenue")  # fmt: skip
    assert len(fails) == 1 and "user" in (fails[0].threshold or "") and fails[0].fixable
    assert fails[0].value == "advertising"
    assert not failed(run(snapshot, revenue_streams=["user_fees"]),
                      "exclude_without_accepted_revenue")  # fmt: skip


def test_revenue_not_required_is_never_a_failure() -> None:
    snapshot = synthetic(record())
    found = run(snapshot, revenue_streams=[])
    assert not failed(found, "exclude_without_required_revenue")
    assert not failed(found, "exclude_without_accepted_revenue")


def test_a_consortium_too_small_is_fixable() -> None:
    snapshot = synthetic(record(kind="grant", co_financing=[{"rate": 0.5}],
                                min_partner_countries=3))  # fmt: skip
    fails = failed(run(snapshot, partners={"countries": 1}), "exclude_consortium_too_small")
    assert len(fails) == 1 and fails[0].fixable
    assert fails[0].value == "1 countries" and fails[0].threshold == "3 countries"
    assert not failed(run(snapshot, partners={"countries": 3}), "exclude_consortium_too_small")


def test_a_minimum_ticket_out_of_reach_is_fixable() -> None:
    snapshot = synthetic(record(min_ticket=25_000_000, max_share_of_cost=0.5))
    fails = failed(run(snapshot, capex={"amount": 10_000_000, "currency": "EUR"}),
                   "exclude_costs_below_minimum_ticket")  # fmt: skip
    assert len(fails) == 1 and fails[0].fixable
    # the lender funds at most 50%: a project of 50,000,000 reaches its minimum
    assert not failed(run(snapshot, capex={"amount": 50_000_000, "currency": "EUR"}),
                      "exclude_costs_below_minimum_ticket")  # fmt: skip


@pytest.mark.parametrize(
    ("as_of", "excluded"),
    [("2012-12-23", False), ("2012-12-24", True), ("2026-11-22", True)],
)
def test_a_prohibition_holds_from_its_date(as_of: str, excluded: bool) -> None:
    """Caiyu [2012] No. 463 (24 Dec 2012) as the BT record states it: prohibited in China from
    that day on, not the day before."""
    ban = {"prohibited_countries": "CN", "prohibited_since": "2012-12-24"}
    bt = record("bt_like", kind="ppp_structure", params=ban)
    fails = failed(run(synthetic(bt), country="CN", as_of=as_of), "exclude_prohibited_in_country")
    assert bool(fails) is excluded
    if excluded:
        assert fails[0].threshold == "prohibited in CN since 2012-12-24"
        assert fails[0].value == "CN"
    assert not failed(run(synthetic(bt), country="LT", as_of=as_of),
                      "exclude_prohibited_in_country")  # fmt: skip


def test_a_prohibition_without_a_date_holds_always() -> None:
    banned = record("banned", kind="ppp_structure", params={"prohibited_countries": "CN, VN"})
    fails = failed(run(synthetic(banned), country="VN", as_of="2001-01-01"),
                   "exclude_prohibited_in_country")  # fmt: skip
    assert len(fails) == 1 and fails[0].threshold == "prohibited in CN, VN"


@pytest.mark.parametrize(
    ("applicant", "excluded"),
    [("municipality", True), ("regional_authority", True), ("municipal_company", False)],
)
def test_a_prohibition_for_some_applicants_names_them(applicant: str, excluded: bool) -> None:
    """Budget Law Art. 35: a Chinese local government borrows only by local government bonds;
    the green bond record bars it from a bond of its own, not a company of the city."""
    ban = {"prohibited_countries": "CN", "prohibited_applicants": "regional_authority,municipality"}
    bond = record("own_bond", kind="bond", params=ban)
    fails = failed(run(synthetic(bond), country="CN", as_of="2026-11-30", applicant=applicant),
                   "exclude_prohibited_in_country")  # fmt: skip
    assert bool(fails) is excluded
    if excluded:
        assert fails[0].threshold == "prohibited in CN for municipality, regional_authority"
        assert fails[0].value == f"CN ({applicant})"
    assert not failed(run(synthetic(bond), country="US", as_of="2026-11-30", applicant=applicant),
                      "exclude_prohibited_in_country")  # fmt: skip


# --- scoring: texts and sources ------------------------------------------------------------


def test_risk_transfer_texts_follow_the_appetite() -> None:
    low = scores(run(REAL, preferences={"risk_appetite": "low"}), "score_risk_transfer_fit")
    high = scores(run(REAL, preferences={"risk_appetite": "high"}), "score_risk_transfer_fit")
    assert low and high
    assert {f.text for f in low.values()} == {"moves risk off a risk-averse city"}
    assert {f.text for f in high.values()} == {"the city keeps the risk it is willing to carry"}


def test_public_funding_text_names_the_revenue() -> None:
    none = scores(run(REAL, revenue_streams=[]),
                  "score_public_funding_for_non_commercial_project")  # fmt: skip
    fines = scores(run(REAL, revenue_streams=["fines"]),
                   "score_public_funding_for_non_commercial_project")  # fmt: skip
    assert none and fines
    assert all("the project has no revenue" in f.text for f in none.values())
    assert all("only public revenue (fines)" in f.text for f in fines.values())


def test_country_named_texts() -> None:
    one = record("only_lt", eligible_countries=["LT"])
    few = record("three", eligible_countries=["LT", "LV", "EE"])
    found = scores(run(synthetic(one, few), country="LT"), "score_country_named")
    assert found["only_lt"].text == "made for projects in LT"
    assert found["three"].text == "made for a group of 3 countries including LT"


def test_cost_coverage_is_a_share_of_capex_and_development_cost() -> None:
    """ERDF 2014-2020 in a less developed region: its rate of the 10,000,000 investment, no
    recorded rate for the development cost; the share is of 10,000,000 + 2,500,000."""
    erdf = REAL.instrument("erdf_2014_2020")
    assert erdf is not None
    rate = next(e.rate for e in erdf.co_financing if e.region_category == "less_developed")
    share = rate * 10_000_000 / 12_500_000
    found = scores(
        run(REAL, region_category="less_developed", as_of="2016-06-01",
            capex={"amount": 10_000_000, "currency": "EUR"},
            development_cost={"amount": 2_500_000, "currency": "EUR"}),
        "score_cost_coverage",
    )  # fmt: skip
    assert found["erdf_2014_2020"].points == pytest.approx(4 * share)
    assert f"{share:.0%} of the cost" in found["erdf_2014_2020"].text


def test_cost_coverage_cites_the_source_of_the_rate() -> None:
    found = scores(run(REAL, region_category="less_developed", as_of="2016-06-01"),
                   "score_cost_coverage")  # fmt: skip
    erdf = REAL.instrument("erdf_2014_2020")
    assert erdf is not None
    rate_sources = {citation(s) for s in erdf.sources if "co_financing" in s.supports}
    assert rate_sources and found["erdf_2014_2020"].source in rate_sources


def test_only_public_revenue_counts_as_non_commercial_even_all_of_it() -> None:
    every = sorted(PUBLIC_REVENUE)
    found = scores(run(REAL, revenue_streams=every),
                   "score_public_funding_for_non_commercial_project")  # fmt: skip
    assert found
    mixed = scores(run(REAL, revenue_streams=[*every, "user_fees"]),
                   "score_public_funding_for_non_commercial_project")  # fmt: skip
    assert not mixed


def test_complexity_texts() -> None:
    found = scores(run(REAL, city_maturity={"governance": "basic", "funding": "basic",
                                            "business_models": "basic"}),
                   "score_complexity_for_city_maturity")  # fmt: skip
    by_complexity = {REAL.instrument(i).complexity: f.text for i, f in found.items()}  # type: ignore[union-attr]
    assert by_complexity == {
        "low": "a simple structure suits a city at basic maturity",
        "high": "a complex structure for a city still building its capacity",
    }


def test_sector_fit_cites_the_source_of_the_matched_sector() -> None:
    """Where the main sector is not named, the reason cites the source backing the first
    matched sector (alphabetically), not another one."""
    two = record("two_sectors", sectors=["transport", "water"], sources=[
        {"document": "transport source", "reference": "T", "supports": ["sectors=transport"]},
        {"document": "water source", "reference": "W", "supports": ["sectors=water"]},
    ])  # fmt: skip
    found = scores(run(synthetic(two), sector="street_lighting", sectors=["transport", "water"]),
                   "score_sector_fit")  # fmt: skip
    assert found["two_sectors"].points == 1.0
    assert found["two_sectors"].source.startswith("transport source")
