"""Properties of advice over random profiles (Hypothesis).

Examples per property: 250 under the `ci` profile that .ci/run selects (HYPOTHESIS_PROFILE=ci),
fewer locally so the default run stays fast; the explicit examples run under every profile.

Oracles come from the profile and the law, never from the mix or option under test
(advice_checks.py); the co-financing rate table of the law itself: test_co_financing_rates.py.
"""

import os
from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.advice import advise
from advisor.models import ProjectProfile
from catalogue.datafiles import load
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import EU27, VOCABULARY
from tests.advisor.advice_checks import (
    check_ceilings,
    check_grant_ceilings_stated,
    check_mixes_add_up,
    check_no_forbidden_combination,
)

# CI: 250 examples per property. At 168 instruments an advice takes about 2.5 times as long as
# at 80 (bench/engine.py medians 95-104 ms against 40 ms), so 250 cost CI what 500 did then.
settings.register_profile(
    "ci", max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# mutation testing (.ci/mutation) runs these once per mutant: the explicit examples and a few
# reproducible draws
settings.register_profile(
    "mutation",
    max_examples=8,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

SNAPSHOT = Snapshot(*(lambda d: (d.revision, d.instruments, d.business_models, d.fx_rates))(load()))
COUNTRIES = ["LT", "PL", "DE", "FR", "ES", "HR", "SE", "CN", "US", "GB", "KR", "NO"]
amounts = st.floats(min_value=1_000, max_value=5e9, allow_nan=False).map(lambda x: round(x, 2))
currencies = st.sampled_from(VOCABULARY["currency"])
money = st.builds(lambda a, c: {"amount": a, "currency": c}, amounts, currencies)


@st.composite
def profiles(draw: st.DrawFn) -> ProjectProfile:
    country = draw(st.sampled_from(COUNTRIES))
    data = {
        "name": "generated",
        "country": country,
        "sector": draw(st.sampled_from(VOCABULARY["sector"])),
        "sectors": draw(st.lists(st.sampled_from(VOCABULARY["sector"]), max_size=3, unique=True)),
        "stage": draw(st.sampled_from(VOCABULARY["stage"])),
        "capex": draw(money),
        "revenue_streams": draw(
            st.lists(st.sampled_from(VOCABULARY["revenue_stream"]), max_size=3, unique=True)
        ),
        "applicant": draw(st.sampled_from(VOCABULARY["applicant"])),
        "as_of": draw(st.dates(min_value=date(2013, 1, 1), max_value=date(2027, 12, 31))),
    }
    if draw(st.booleans()):
        data["development_cost"] = draw(money)
    if country in EU27 and draw(st.booleans()):
        data["region_category"] = draw(st.sampled_from(VOCABULARY["region_category"]))
    if country in EU27 and draw(st.booleans()):
        data["region_category_2014_2020"] = draw(st.sampled_from(VOCABULARY["region_category"]))
    if draw(st.booleans()):
        data["population"] = draw(st.integers(min_value=1_000, max_value=30_000_000))
    if draw(st.booleans()):
        data["partners"] = {"countries": draw(st.integers(0, 8)), "industry": draw(st.booleans())}
    if draw(st.booleans()):
        level = st.sampled_from(VOCABULARY["maturity_level"])
        data["city_maturity"] = {"governance": draw(level), "funding": draw(level)}
    if draw(st.booleans()):
        data["preferences"] = {
            "keep_public_ownership": draw(st.booleans()),
            "risk_appetite": draw(st.sampled_from(VOCABULARY["risk_appetite"])),
        }
    if draw(st.booleans()):
        data["fiscal"] = {
            "debt_to_revenue": draw(st.floats(0, 3)),
            "ppp_payments_share": draw(st.floats(0, 0.3)),
        }
    return ProjectProfile.model_validate(data)


# Profiles whose mixes exercise what random draws reach only sometimes: a development cost in
# another currency, each region category (with and without its 2014-2020 category), an
# applicant with entries of its own, a region category the profile does not give.
EXAMPLES = [
    ProjectProfile.model_validate(data)
    for data in (
        {"name": "lighting", "country": "LT", "sector": "street_lighting", "stage": "deployment",
         "capex": {"amount": 10_000_000, "currency": "EUR"},
         "development_cost": {"amount": 400_000, "currency": "USD"},
         "revenue_streams": ["energy_savings"], "applicant": "municipality",
         "region_category": "more_developed", "region_category_2014_2020": "transition",
         "as_of": "2026-11-22"},
        {"name": "mobility", "country": "PL", "sector": "transport", "stage": "planning",
         "capex": {"amount": 20_000_000, "currency": "GBP"},
         "development_cost": {"amount": 3_000_000, "currency": "CNY"},
         "applicant": "municipality", "region_category": "less_developed",
         "as_of": "2015-03-01"},
        {"name": "energy", "country": "DE", "sector": "renewable_energy", "stage": "pilot",
         "capex": {"amount": 4_000_000, "currency": "EUR"},
         "development_cost": {"amount": 250_000, "currency": "EUR"},
         "applicant": "sme", "region_category": "transition",
         "region_category_2014_2020": "less_developed", "as_of": "2016-06-01"},
        {"name": "water", "country": "ES", "sector": "water", "stage": "deployment",
         "capex": {"amount": 30_000_000, "currency": "USD"},
         "development_cost": {"amount": 1_000_000, "currency": "GBP"},
         "applicant": "regional_authority", "as_of": "2023-09-15"},
        {"name": "buildings", "country": "HR", "sector": "buildings", "stage": "deployment",
         "capex": {"amount": 80_000_000, "currency": "CNY"},
         "development_cost": {"amount": 600_000, "currency": "EUR"},
         "revenue_streams": ["energy_savings"], "applicant": "municipality",
         "region_category": "transition", "region_category_2014_2020": "less_developed",
         "as_of": "2026-11-22"},
    )
]  # fmt: skip


def with_examples(test):  # type: ignore[no-untyped-def]
    for profile in EXAMPLES:
        test = example(profile=profile)(test)
    return test


@with_examples
@given(profile=profiles())
def test_mix_amounts_add_up_to_the_cent(profile: ProjectProfile) -> None:
    check_mixes_add_up(advise(profile, SNAPSHOT), profile)


@with_examples
@given(profile=profiles())
def test_no_ceiling_is_breached(profile: ProjectProfile) -> None:
    check_ceilings(advise(profile, SNAPSHOT), profile, SNAPSHOT)


@with_examples
@given(profile=profiles())
def test_grant_ceilings_follow_the_applicable_rate(profile: ProjectProfile) -> None:
    check_grant_ceilings_stated(advise(profile, SNAPSHOT), profile, SNAPSHOT)


@given(profile=profiles())
def test_no_forbidden_combination(profile: ProjectProfile) -> None:
    check_no_forbidden_combination(advise(profile, SNAPSHOT), SNAPSHOT)


@given(profile=profiles())
def test_identical_input_gives_identical_output(profile: ProjectProfile) -> None:
    """A fresh engine with every fact declared again and this thread's cached engine agree."""
    fresh = advise(profile, SNAPSHOT, fresh=True)
    cached = advise(ProjectProfile.model_validate(profile.model_dump()), SNAPSHOT)
    assert fresh.model_dump_json() == cached.model_dump_json()


def test_the_examples_exercise_the_mixes() -> None:
    """The explicit examples reach what they are there for: mixes with a development cost in
    another currency, and the stated amount of an EU grant whose rate depends on the region
    category, for each category."""
    regional: set[str | None] = set()
    for profile in EXAMPLES:
        advice = advise(profile, SNAPSHOT)
        assert advice.mixes, profile.name
        assert profile.development_cost is not None
        for stated in [*advice.options, *advice.to_check]:
            record = SNAPSHOT.instrument(stated.instrument_id)
            assert record is not None
            if stated.max_amount and any(e.region_category for e in record.co_financing):
                regional.add(profile.region_category)
    assert any(p.development_cost.currency != p.capex.currency for p in EXAMPLES)  # type: ignore[union-attr]
    assert regional == {"less_developed", "transition", "more_developed", None}
