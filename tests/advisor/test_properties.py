"""Properties of advice over random profiles (Hypothesis).

Examples per property: 500 under the `ci` profile that .ci/run selects (HYPOTHESIS_PROFILE=ci),
fewer locally so the default run stays fast.
"""

import math
import os
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.advice import advise
from advisor.models import Advice, ProjectProfile
from catalogue.datafiles import load
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import EU27, VOCABULARY
from rules.ceilings import GRANT_KINDS

settings.register_profile(
    "ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
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


def _cents(amount: float) -> int:
    return round(amount * 100)


def _check_mixes_add_up(advice: Advice, profile: ProjectProfile) -> None:
    capex = _cents(profile.capex.amount)
    for mix in advice.mixes:
        parts = sum(_cents(c.amount.amount) for c in mix.components)
        assert parts == _cents(mix.funded.amount)
        assert parts + _cents(mix.gap.amount) >= capex
        if profile.development_cost is None:
            assert parts + _cents(mix.gap.amount) == capex
        assert _cents(mix.gap.amount) >= 0
        assert all(c.amount.currency == profile.capex.currency for c in mix.components)


def _check_ceilings(advice: Advice, profile: ProjectProfile, snapshot: Snapshot) -> None:
    money = {fx.currency: fx.per_eur for fx in advice.fx} | {"EUR": 1.0}
    currency = profile.capex.currency

    def convert(amount: float, unit: str) -> float:
        return amount / money[unit] * money[currency]

    for mix in advice.mixes:
        total = _cents(mix.funded.amount) + _cents(mix.gap.amount)
        base = {"investment": _cents(profile.capex.amount)}
        base["development"] = total - base["investment"]
        by_cost: dict[str, int] = {}
        by_instrument: dict[str, int] = {}
        for comp in mix.components:
            record = snapshot.instrument(comp.instrument_id)
            assert record is not None and comp.covers in record.costs_covered
            amount = _cents(comp.amount.amount)
            assert amount > 0
            rates = [r.rate for r in record.co_financing if r.costs == comp.covers]
            assert amount <= math.floor(base[comp.covers] * max(rates, default=1.0)) + 1
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
                assert amount <= _cents(convert(record.max_ticket, record.ticket_currency)) + 1
            if record.min_ticket is not None:
                assert amount >= _cents(convert(record.min_ticket, record.ticket_currency)) - 1


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


@given(profile=profiles())
def test_mix_amounts_add_up_to_the_cent(profile: ProjectProfile) -> None:
    _check_mixes_add_up(advise(profile, SNAPSHOT), profile)


@given(profile=profiles())
def test_no_ceiling_is_breached(profile: ProjectProfile) -> None:
    _check_ceilings(advise(profile, SNAPSHOT), profile, SNAPSHOT)


@given(profile=profiles())
def test_no_forbidden_combination(profile: ProjectProfile) -> None:
    _check_no_forbidden_combination(advise(profile, SNAPSHOT), SNAPSHOT)


@given(profile=profiles())
def test_identical_input_gives_identical_output(profile: ProjectProfile) -> None:
    first = advise(profile, SNAPSHOT)
    again = advise(ProjectProfile.model_validate(profile.model_dump()), SNAPSHOT)
    assert first.model_dump_json() == again.model_dump_json()
