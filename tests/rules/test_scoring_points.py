"""Points and signs of each scoring rule, through the engine, for small profiles.

Each row names a rule, a profile (the builder's default project with a few fields changed),
which catalogue rows the rule should score (a predicate on the catalogue record, read here) and
the points each gets. The points are the product's policy table (rules/weights.py) written out
as numbers, so a changed weight or a flipped sign fails here: a row asserts that exactly those
instruments or business models get exactly those points, and no others.
"""

from collections.abc import Callable
from typing import Any

import pytest

from advisor.engine import (
    Finding,
    catalogue_facts,
    instrument_fact,
    model_fact,
    project_fact,
    runner_for,
)
from advisor.money import Converter
from catalogue.datafiles import load
from catalogue.schema import BusinessModelRecord
from catalogue.snapshot import Snapshot
from tests.builders import make_profile


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    """The catalogue from its data files (here too, so .ci/mutation can run without conftest)."""
    data = load()
    return Snapshot(data.revision, data.instruments, data.business_models, data.fx_rates)


LEVEL = {"low": 0, "medium": 1, "high": 2}
MATURITY = {"basic": 0, "average": 1, "more_advanced": 2, "state_of_the_art": 3}


def findings(snapshot: Snapshot, **overrides: Any) -> list[Finding]:
    profile = make_profile(**overrides)
    assert profile.as_of is not None
    money = Converter(snapshot, profile.as_of)

    def build() -> list:  # type: ignore[type-arg]
        return catalogue_facts(
            [instrument_fact(r, money.to_eur) for r in snapshot.instruments],
            [model_fact(m) for m in snapshot.business_models],
        )

    runner = runner_for((snapshot.revision, money.key()), build)
    return runner.run(project_fact(profile, money.to_eur))


def scored(found: list[Finding], rule: str, about: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in found:
        if f.kind == "score" and f.rule == rule and f.about == about:
            assert f.instrument not in out, f"{rule} scored {f.instrument} twice"
            out[f.instrument] = f.points
    return out


def basic_city() -> dict[str, str]:
    return {"governance": "basic", "funding": "basic", "business_models": "basic"}


def average_city() -> dict[str, str]:
    return {"governance": "average", "funding": "average", "business_models": "average"}


Points = Callable[[Any], float | None]  # catalogue record -> points, None: not scored


def gap_points(level: int) -> Points:
    """-1.5 per Annex 5 level the city lacks below the record's minimum."""

    def points(r: Any) -> float | None:
        gap = MATURITY[r.min_maturity] - level
        return -1.5 * gap if gap > 0 else None

    return points


# (rule, profile overrides, points per instrument record)
INSTRUMENT_ROWS: list[tuple[str, dict[str, Any], Points]] = [
    ("score_risk_transfer_fit", {"preferences": {"risk_appetite": "low"}},
     lambda r: 1.0 if r.risk_transfer == "high" else None),
    ("score_risk_transfer_fit", {"preferences": {"risk_appetite": "high"}},
     lambda r: 1.0 if r.risk_transfer == "low" else None),
    ("score_risk_transfer_fit", {"preferences": {"risk_appetite": "medium"}}, lambda r: None),
    ("score_maturity_gap", {"city_maturity": basic_city()}, gap_points(0)),
    ("score_maturity_gap", {"city_maturity": average_city()}, gap_points(1)),
    ("score_maturity_gap", {}, lambda r: None),  # maturity not given: no gap is known
    ("score_complexity_for_city_maturity", {"city_maturity": basic_city()},
     lambda r: {"low": 0.5, "high": -1.0}.get(r.complexity)),
    ("score_complexity_for_city_maturity", {"city_maturity": average_city()},
     lambda r: -0.5 if r.complexity == "high" else None),
    ("score_complexity_for_city_maturity",
     {"city_maturity": {"governance": "more_advanced", "funding": "more_advanced"}},
     lambda r: None),
    ("score_technical_assistance_first_for_basic_city", {"city_maturity": basic_city()},
     lambda r: 2.0 if r.kind == "technical_assistance" else None),
    ("score_technical_assistance_first_for_basic_city", {"city_maturity": average_city()},
     lambda r: None),
    ("score_public_ownership_conflict", {"preferences": {"keep_public_ownership": True}},
     lambda r: -2.0 if r.kind == "ppp_structure" else None),
    ("score_public_ownership_conflict", {"preferences": {"keep_public_ownership": False}},
     lambda r: None),
    ("score_pays_operating_costs_in_operation", {"stage": "operation"},
     lambda r: 2.0 if "operation" in r.costs_covered else None),
    ("score_pays_operating_costs_in_operation", {"stage": "deployment"}, lambda r: None),
    ("score_public_funding_for_non_commercial_project", {"revenue_streams": []},
     lambda r: 3.0 if (r.kind, r.cost_of_money) == ("grant", "free") else None),
    ("score_public_funding_for_non_commercial_project", {"revenue_streams": ["user_fees"]},
     lambda r: None),
    ("score_revenue_alignment", {"revenue_streams": ["energy_savings"]},
     lambda r: 4.0 if "energy_savings" in r.revenue_streams_any else None),
    ("score_cost_of_money", {},
     lambda r: {"free": 1.0, "concessional": 0.5}.get(r.cost_of_money)),
    ("score_sector_fit", {"sector": "street_lighting", "sectors": ["transport"]},
     lambda r: 2.0 if "street_lighting" in r.sectors
     else 1.0 if "transport" in r.sectors else None),
    ("score_stage_fit", {"stage": "pilot"}, lambda r: 2.0 if "pilot" in r.stages else None),
    ("score_applicant_named", {"applicant": "sme"},
     lambda r: 1.0 if "sme" in r.applicant_types else None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "overrides", "points"),
    INSTRUMENT_ROWS,
    ids=[f"{rule}-{i}" for i, (rule, _, _) in enumerate(INSTRUMENT_ROWS)],
)
def test_instrument_rule_points(
    snapshot: Snapshot, rule: str, overrides: dict[str, Any], points: Points
) -> None:
    expected = {
        r.id: p for r in snapshot.instruments if (p := points(r)) is not None
    }  # fmt: skip
    actual = scored(findings(snapshot, **overrides), rule, "instrument")
    assert actual == pytest.approx(expected)


def test_every_rule_in_the_tables_scores_something(snapshot: Snapshot) -> None:
    """A rule whose rows matched nothing in the catalogue would prove nothing; the tables hold
    both signs where a rule has both."""
    signs: dict[str, set[bool]] = {}
    for rows, records in (
        (INSTRUMENT_ROWS, snapshot.instruments),
        (MODEL_ROWS, snapshot.business_models),
    ):
        for rule, _, points in rows:
            found = signs.setdefault(rule, set())
            found |= {p > 0 for r in records if (p := points(r)) is not None}
    assert all(signs.values()), [rule for rule, found in signs.items() if not found]
    assert signs["score_complexity_for_city_maturity"] == {True, False}
    assert signs["score_model_risk_appetite_fit"] == {True, False}
    assert signs["score_model_ownership_mix_fit"] == {True, False}
    assert signs["score_maturity_gap"] == signs["score_model_maturity_gap"] == {False}
    assert signs["score_public_ownership_conflict"] == {False}
    assert signs["score_risk_transfer_fit"] == {True}
    assert signs["score_technical_assistance_first_for_basic_city"] == {True}


def test_country_named(snapshot: Snapshot) -> None:
    """Instruments made for the project's country (alone or in a listed group) score +1.5."""
    expected = {r.id: 1.5 for r in snapshot.instruments if "HR" in r.countries()}
    assert expected
    actual = scored(findings(snapshot, country="HR"), "score_country_named", "instrument")
    assert actual == pytest.approx(expected)


def regional(record: Any, region: str | None) -> float:
    """The record's rate for the region category; the lowest where the profile gives none."""
    rates = {e.region_category: e.rate for e in record.co_financing if e.costs == "investment"}
    return rates[region] if region else min(rates.values())


HALF = {"amount": 10_000_000, "currency": "EUR"}  # as much as the builder's capex
COVERAGE_CASES: list[tuple[str, dict[str, Any], Callable[[Any], float]]] = [
    # (instrument, profile overrides, points): 4 x the share of the cost it can carry x the
    # value of its money (free 1.0): ERDF 2014-2020 at its rate for the region category
    ("erdf_2014_2020", {"region_category": "less_developed", "as_of": "2016-06-01"},
     lambda r: 4 * regional(r, "less_developed")),
    ("erdf_2014_2020", {"region_category": "transition", "as_of": "2016-06-01"},
     lambda r: 4 * regional(r, "transition")),
    ("erdf_2014_2020", {"region_category": "more_developed", "as_of": "2016-06-01"},
     lambda r: 4 * regional(r, "more_developed")),
    ("erdf_2014_2020", {"as_of": "2016-06-01"}, lambda r: 4 * regional(r, None)),
    # Horizon 2020: 100% for a municipality, 70% for a profit-making SME, of the development
    # half of the cost; equipment counts only by its depreciation in the action (FFG on MGA Art.
    # 6.2.D.2), so the capital half carries nothing confirmed
    ("horizon_2020", {"applicant": "municipality", "as_of": "2016-06-01", "development_cost": HALF},
     lambda r: 4 * 0.5 * 1.0),
    ("horizon_2020", {"applicant": "sme", "as_of": "2016-06-01", "development_cost": HALF},
     lambda r: 4 * 0.5 * 0.7),
    ("horizon_2020", {"applicant": "municipality", "as_of": "2016-06-01"}, lambda r: 0.0),
]  # fmt: skip


@pytest.mark.parametrize(("instrument", "overrides", "points"), COVERAGE_CASES)
def test_cost_coverage_points(
    snapshot: Snapshot, instrument: str, overrides: dict[str, Any], points: Callable[[Any], float]
) -> None:
    record = snapshot.instrument(instrument)
    assert record is not None and record.cost_of_money == "free"
    actual = scored(findings(snapshot, **overrides), "score_cost_coverage", "instrument")
    assert actual[instrument] == pytest.approx(points(record))


def test_regional_rates_differ() -> None:
    """The ERDF cases above would not tell region categories apart if the rates were equal."""
    data = load()
    erdf = next(r for r in data.instruments if r.id == "erdf_2014_2020")
    rates = [regional(erdf, c) for c in ("less_developed", "transition", "more_developed")]
    assert len(set(rates)) == 3


# --- business models -----------------------------------------------------------------------


def precedent_points(m: BusinessModelRecord) -> float | None:
    cities = len({case.city for case in m.recorded_cases})
    return 0.25 * min(cities, 4) if cities else None


MODEL_ROWS: list[tuple[str, dict[str, Any], Points]] = [
    ("score_model_risk_appetite_fit", {"preferences": {"risk_appetite": "low"}},
     lambda m: (2.0 if "low" in m.risk_appetite else -2.0) if m.risk_appetite else None),
    ("score_model_risk_appetite_fit", {"preferences": {"risk_appetite": "high"}},
     lambda m: (2.0 if "high" in m.risk_appetite else -2.0) if m.risk_appetite else None),
    ("score_model_risk_appetite_fit", {}, lambda m: None),  # appetite not given
    ("score_model_private_ownership_conflict", {"preferences": {"keep_public_ownership": True}},
     lambda m: -2.0 if m.ownership == "private" else None),
    ("score_model_ownership_mix_fit", {"preferences": {"max_private_share": 0.4}},
     lambda m: {"mixed": 1.0, "private": -2.0}.get(m.ownership)),
    ("score_model_ownership_mix_fit", {"preferences": {"max_private_share": 1.0}},
     lambda m: None),
    ("score_model_shared_ownership_with_industry_partner",
     {"partners": {"countries": 0, "industry": True}},
     lambda m: 2.0 if m.ownership == "mixed" else None),
    ("score_model_shared_ownership_with_industry_partner",
     {"partners": {"countries": 0, "industry": False}}, lambda m: None),
    ("score_model_maturity_gap", {"city_maturity": basic_city()}, gap_points(0)),
    ("score_model_precedents", {}, precedent_points),
    ("score_model_revenue_fit", {"revenue_streams": ["energy_savings"]},
     lambda m: 4.0 if "energy_savings" in m.revenue_streams else None),
    ("score_model_public_delivery_for_non_commercial_project", {"revenue_streams": []},
     lambda m: 3.0 if m.ownership == "public" and not m.revenue_streams else None),
    ("score_model_jurisdiction_named", {"country": "CN"},
     lambda m: 1.5 if "CN" in m.jurisdictions else None),
    ("score_model_stage_fit", {"stage": "operation"},
     lambda m: 2.0 if "operation" in m.stages else None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "overrides", "points"),
    MODEL_ROWS,
    ids=[f"{rule}-{i}" for i, (rule, _, _) in enumerate(MODEL_ROWS)],
)
def test_business_model_rule_points(
    snapshot: Snapshot, rule: str, overrides: dict[str, Any], points: Points
) -> None:
    expected = {
        m.id: p for m in snapshot.business_models if (p := points(m)) is not None
    }  # fmt: skip
    actual = scored(findings(snapshot, **overrides), rule, "business_model")
    assert actual == pytest.approx(expected)


def test_risk_appetite_named_models_go_both_ways(snapshot: Snapshot) -> None:
    """The ESCO pair: guaranteed savings suits a risk-averse city, shared savings one that
    takes risk (instrument_facts.md G2)."""
    low = scored(
        findings(snapshot, preferences={"risk_appetite": "low"}),
        "score_model_risk_appetite_fit",
        "business_model",
    )
    high = scored(
        findings(snapshot, preferences={"risk_appetite": "high"}),
        "score_model_risk_appetite_fit",
        "business_model",
    )
    assert low["esco_guaranteed_savings"] > 0 > low["esco_shared_savings"]
    assert high["esco_shared_savings"] > 0 > high["esco_guaranteed_savings"]
