"""Properties of advice over random profiles (Hypothesis).

Examples per property: 500 under the `ci` profile that .ci/run selects (HYPOTHESIS_PROFILE=ci),
fewer locally so the default run stays fast; the explicit examples run under every profile.

Oracles come from the profile and the law, never from the mix or option under test: the dated
reference-rate table is read here from catalogue/data/fx_rates.yaml, and the co-financing rate
that applies is docs/eligibility.md section 3, written out below independently of
rules/ceilings.py.
"""

import math
import os
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.advice import advise
from advisor.models import Advice, ProjectProfile
from catalogue.datafiles import load
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import EU27, VOCABULARY
from rules.ceilings import GRANT_KINDS

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


# --- oracles: the dated rate table and the applicable clause -------------------------------

FX_TABLE = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "catalogue" / "data" / "fx_rates.yaml").read_text()
)


def per_eur(currency: str, on: date) -> float:
    """Units of `currency` per euro in force on `on`: the latest row dated on or before it (the
    first row before the table starts); the euro is the table's base, one per euro."""
    if currency == "EUR":
        return 1.0
    rows = sorted((r for r in FX_TABLE if r["currency"] == currency), key=lambda r: r["date"])
    before = [r for r in rows if r["date"] <= on]
    return float((before[-1] if before else rows[0])["per_eur"])


def in_currency(amount: float, unit: str, currency: str, on: date) -> float:
    return amount / per_eur(unit, on) * per_eur(currency, on)


def cost_bases(profile: ProjectProfile) -> dict[str, int]:
    """Cents of the project currency per cost type: capex as stated, the development cost
    converted at the rates in force on the advice date."""
    assert profile.as_of is not None
    dev = profile.development_cost
    development = (
        in_currency(dev.amount, dev.currency, profile.capex.currency, profile.as_of) if dev else 0
    )
    return {"investment": _cents(profile.capex.amount), "development": _cents(development)}


def applicable_rate(record: InstrumentRecord, cost: str, profile: ProjectProfile) -> float | None:
    """docs/eligibility.md section 3: the rate for one cost type, None where none applies."""
    entries = [e for e in record.co_financing if e.costs == cost]
    named = [e for e in entries if profile.applicant in e.applicant]
    entries = named or [e for e in entries if not e.applicant]  # applicant entries first
    if not entries:
        return None
    if profile.region_category is None or not any(e.region_category for e in entries):
        return min(e.rate for e in entries)  # conditions cannot be told apart: the lowest
    fits = [
        e.rate
        for e in entries
        if e.region_category in (None, profile.region_category)
        and (
            not e.previous_region_category
            or profile.region_category_2014_2020 in e.previous_region_category
        )
    ]
    return max(fits, default=None)


def _cents(amount: float) -> int:
    return round(amount * 100)


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


# --- the checks ----------------------------------------------------------------------------


def _check_mixes_add_up(advice: Advice, profile: ProjectProfile) -> None:
    base = cost_bases(profile)
    total = base["investment"] + base["development"]
    for mix in advice.mixes:
        parts = sum(_cents(c.amount.amount) for c in mix.components)
        assert parts == _cents(mix.funded.amount)
        assert _cents(mix.funded.amount) + _cents(mix.gap.amount) == total, (
            f"{mix.id}: funded + gap is not capex + development cost in {profile.capex.currency}"
        )
        assert _cents(mix.gap.amount) >= 0
        assert all(c.amount.currency == profile.capex.currency for c in mix.components)
        assert mix.funded.currency == mix.gap.currency == profile.capex.currency


def _check_ceilings(advice: Advice, profile: ProjectProfile, snapshot: Snapshot) -> None:
    assert profile.as_of is not None
    currency = profile.capex.currency
    base = cost_bases(profile)
    total = base["investment"] + base["development"]

    def ticket(amount: float, record: InstrumentRecord) -> int:
        return _cents(in_currency(amount, record.ticket_currency, currency, profile.as_of))

    for mix in advice.mixes:
        by_cost: dict[str, int] = {}
        by_instrument: dict[str, int] = {}
        for comp in mix.components:
            record = snapshot.instrument(comp.instrument_id)
            assert record is not None and comp.covers in record.costs_covered
            amount = _cents(comp.amount.amount)
            assert amount > 0
            rate = applicable_rate(record, comp.covers, profile)
            if rate is None:
                assert record.kind not in GRANT_KINDS, f"{record.id}: no rate recorded"
                rate = 1.0
            assert amount <= base[comp.covers] * rate + 1e-6, (
                f"{record.id} funds {amount} cents of {comp.covers}, above {rate:.0%} of "
                f"{base[comp.covers]}"
            )
            by_cost[comp.covers] = by_cost.get(comp.covers, 0) + amount
            by_instrument[record.id] = by_instrument.get(record.id, 0) + amount
        for cost, amount in by_cost.items():
            assert amount <= base[cost]
        for instrument_id, amount in by_instrument.items():
            record = snapshot.instrument(instrument_id)
            assert record is not None
            if record.max_share_of_cost is not None:
                assert amount <= math.floor(total * record.max_share_of_cost) + 1
            if record.max_ticket is not None:
                assert amount <= ticket(record.max_ticket, record) + 1
            if record.min_ticket is not None:
                assert amount >= ticket(record.min_ticket, record) - 1


def _check_grant_ceilings_stated(
    advice: Advice, profile: ProjectProfile, snapshot: Snapshot
) -> None:
    """A grant's stated maximum (as an option, or as one to check) is its applicable rate times
    each cost it covers, where no share, ticket or typical-ticket cap applies to it."""
    base = cost_bases(profile)
    for option in [*advice.options, *advice.to_check]:
        record = snapshot.instrument(option.instrument_id)
        assert record is not None
        if (
            record.kind not in GRANT_KINDS
            or not record.co_financing
            or record.max_share_of_cost is not None
            or record.max_ticket is not None
            or record.typical_ticket is not None
            or "co_financing" in record.unconfirmed
        ):
            continue
        expected = 0.0
        known, unknown = [], []
        for cost in record.costs_covered:
            if cost not in base or base[cost] <= 0:
                continue  # only costs above zero count
            rate = applicable_rate(record, cost, profile)
            if rate is None:
                unknown.append(cost)
            else:
                known.append(cost)
                expected += rate * base[cost] / 100
        if unknown and not known:
            assert option.max_amount is None, record.id  # nothing known: not stated
            continue
        assert option.max_amount is not None, record.id
        assert option.max_amount.currency == profile.capex.currency
        assert option.max_amount.amount == pytest.approx(expected, rel=1e-9, abs=0.02), (
            f"{record.id}: stated {option.max_amount.amount}, the applicable rate gives {expected}"
        )


def _check_no_forbidden_combination(advice: Advice, snapshot: Snapshot) -> None:
    recommended = {o.instrument_id for o in advice.options}
    assert not recommended & {e.instrument_id for e in advice.excluded}
    for mix in advice.mixes:
        used = {c.instrument_id for c in mix.components}
        assert used <= recommended
        assert 1 <= len(used) <= 4
        for cost in ("investment", "development"):
            eu_grants = [
                c.instrument_id
                for c in mix.components
                if c.covers == cost
                and (rec := snapshot.instrument(c.instrument_id))
                and rec.eu_funds
                and rec.kind in GRANT_KINDS
            ]
            assert len(eu_grants) <= 1, eu_grants
        for instrument_id in used:
            record = snapshot.instrument(instrument_id)
            assert record is not None
            assert not used & set(record.not_combinable_with)  # either side may record the pair
    for option in advice.options:
        record = snapshot.instrument(option.instrument_id)
        assert record is not None
        assert record.valid_to is None or advice.as_of <= record.valid_to
        # prohibited on the advice date (a prohibition's date decides, not today's status)
        if record.prohibited_from is not None:
            assert advice.as_of < record.prohibited_from
        else:
            assert record.status != "prohibited"


@with_examples
@given(profile=profiles())
def test_mix_amounts_add_up_to_the_cent(profile: ProjectProfile) -> None:
    _check_mixes_add_up(advise(profile, SNAPSHOT), profile)


@with_examples
@given(profile=profiles())
def test_no_ceiling_is_breached(profile: ProjectProfile) -> None:
    _check_ceilings(advise(profile, SNAPSHOT), profile, SNAPSHOT)


@with_examples
@given(profile=profiles())
def test_grant_ceilings_follow_the_applicable_rate(profile: ProjectProfile) -> None:
    _check_grant_ceilings_stated(advise(profile, SNAPSHOT), profile, SNAPSHOT)


@given(profile=profiles())
def test_no_forbidden_combination(profile: ProjectProfile) -> None:
    _check_no_forbidden_combination(advise(profile, SNAPSHOT), SNAPSHOT)


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


# CPR 2021/1060 Art. 112(3) as docs/eligibility.md section 3 states it: more developed 40%, or
# 50% for regions that were transition or less developed in 2014-2020; transition 60%, or 70%
# for regions that were less developed; less developed 85%.
ART_112_3 = [
    {"rate": 0.40, "region_category": "more_developed"},
    {"rate": 0.50, "region_category": "more_developed",
     "previous_region_category": ["transition", "less_developed"]},
    {"rate": 0.60, "region_category": "transition"},
    {"rate": 0.70, "region_category": "transition",
     "previous_region_category": ["less_developed"]},
    {"rate": 0.85, "region_category": "less_developed"},
]  # fmt: skip


def _with_art_112_3(snapshot: Snapshot, instrument_id: str) -> Snapshot:
    record = snapshot.instrument(instrument_id)
    assert record is not None
    changed = record.model_validate({**record.model_dump(), "co_financing": ART_112_3})
    return Snapshot(
        revision=f"{snapshot.revision}+art112",
        instruments=tuple(changed if r.id == instrument_id else r for r in snapshot.instruments),
        business_models=snapshot.business_models,
        fx_rates=snapshot.fx_rates,
    )


@pytest.mark.parametrize(
    ("region", "previous", "rate"),
    [
        ("more_developed", None, 0.40),
        ("more_developed", "more_developed", 0.40),
        ("more_developed", "transition", 0.50),
        ("more_developed", "less_developed", 0.50),
        ("transition", None, 0.60),
        ("transition", "transition", 0.60),
        ("transition", "less_developed", 0.70),
        ("less_developed", None, 0.85),
        ("less_developed", "less_developed", 0.85),
        (None, None, 0.40),  # not given: the lowest
        (None, "less_developed", 0.40),
    ],
)
def test_the_previous_region_category_raises_the_rate_only_where_the_law_says(
    region: str | None, previous: str | None, rate: float
) -> None:
    snapshot = _with_art_112_3(SNAPSHOT, "erdf_2021_2027")
    data: dict[str, object] = {
        "name": "Art. 112(3)", "country": "PL", "sector": "street_lighting",
        "stage": "deployment", "capex": {"amount": 10_000_000, "currency": "EUR"},
        "applicant": "municipality", "as_of": "2026-11-22",
    }  # fmt: skip
    if region:
        data["region_category"] = region
    if previous:
        data["region_category_2014_2020"] = previous
    profile = ProjectProfile.model_validate(data)
    record = snapshot.instrument("erdf_2021_2027")
    assert record is not None
    assert applicable_rate(record, "investment", profile) == rate  # the oracle reads the law
    advice = advise(profile, snapshot)
    stated = {o.instrument_id: o for o in [*advice.options, *advice.to_check]}
    assert "erdf_2021_2027" in stated, "ERDF 2021-2027 is neither an option nor one to check"
    amount = stated["erdf_2021_2027"].max_amount
    assert amount is not None
    assert amount.amount == pytest.approx(rate * 10_000_000)
    _check_grant_ceilings_stated(advice, profile, snapshot)
    _check_ceilings(advice, profile, snapshot)
