"""What every advice must satisfy, checked against oracles from the profile and the law.

The oracles never read the mix or option under test: the dated reference-rate table is read
from catalogue/data/fx_rates.yaml (tests/rate_table.py), and the co-financing rate that applies
is docs/eligibility.md section 3, written out below independently of rules/ceilings.py. Used by
the property tests (test_properties.py) and by the co-financing rate table of the law
(test_co_financing_rates.py).
"""

import math

import pytest

from advisor.models import Advice, ProjectProfile
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import GRANT_KINDS
from tests.rate_table import in_currency

# --- oracles: the cost bases at the dated rates, and the applicable clause ----------------


def cost_bases(profile: ProjectProfile) -> dict[str, int]:
    """Cents of the project currency per cost type: capex as stated, the development cost
    converted at the rates in force on the advice date."""
    assert profile.as_of is not None
    dev = profile.development_cost
    development = (
        in_currency(dev.amount, dev.currency, profile.capex.currency, profile.as_of) if dev else 0
    )
    return {"investment": cents(profile.capex.amount), "development": cents(development)}


def category_in(period: str | None, profile: ProjectProfile) -> str | None:
    """The region's category in a rate entry's programme period (docs/eligibility.md section
    3): `region_category` is the one of the period the advice date falls in (2007-2013 before
    2014, 2014-2020 to the end of 2020, 2021-2027 after), `region_category_2014_2020` the
    2014-2020 one; None where the profile gives neither."""
    assert profile.as_of is not None
    year = profile.as_of.year
    current = "2007-2013" if year < 2014 else "2014-2020" if year < 2021 else "2021-2027"
    if period == "2014-2020" and profile.region_category_2014_2020:
        return profile.region_category_2014_2020
    if not period or period == current:
        return profile.region_category
    return None


def applicable_rate(record: InstrumentRecord, cost: str, profile: ProjectProfile) -> float | None:
    """docs/eligibility.md section 3: the rate for one cost type, None where none applies."""
    entries = [e for e in record.co_financing if e.costs == cost]
    named = [e for e in entries if profile.applicant in e.applicant]
    entries = named or [e for e in entries if not e.applicant]  # applicant entries first
    if not entries:
        return None
    regional = [e for e in entries if e.region_category]
    if not regional or any(category_in(e.period, profile) is None for e in regional):
        return min(e.rate for e in entries)  # conditions cannot be told apart: the lowest
    fits = [
        e.rate
        for e in entries
        if (not e.region_category or e.region_category == category_in(e.period, profile))
        and (
            not e.previous_region_category
            or profile.region_category_2014_2020 in e.previous_region_category
        )
    ]
    return max(fits, default=None)


def cents(amount: float) -> int:
    return round(amount * 100)


# --- the checks ----------------------------------------------------------------------------


def check_mixes_add_up(advice: Advice, profile: ProjectProfile) -> None:
    base = cost_bases(profile)
    total = base["investment"] + base["development"]
    for mix in advice.mixes:
        parts = sum(cents(c.amount.amount) for c in mix.components)
        assert parts == cents(mix.funded.amount)
        assert cents(mix.funded.amount) + cents(mix.gap.amount) == total, (
            f"{mix.id}: funded + gap is not capex + development cost in {profile.capex.currency}"
        )
        assert cents(mix.gap.amount) >= 0
        assert all(c.amount.currency == profile.capex.currency for c in mix.components)
        assert mix.funded.currency == mix.gap.currency == profile.capex.currency


def check_ceilings(advice: Advice, profile: ProjectProfile, snapshot: Snapshot) -> None:
    assert profile.as_of is not None
    currency = profile.capex.currency
    base = cost_bases(profile)
    total = base["investment"] + base["development"]

    def ticket(amount: float, record: InstrumentRecord) -> int:
        return cents(in_currency(amount, record.ticket_currency, currency, profile.as_of))

    for mix in advice.mixes:
        by_cost: dict[str, int] = {}
        by_instrument: dict[str, int] = {}
        for comp in mix.components:
            record = snapshot.instrument(comp.instrument_id)
            assert record is not None and comp.covers in record.costs_covered
            amount = cents(comp.amount.amount)
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


def check_grant_ceilings_stated(
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


def check_no_forbidden_combination(advice: Advice, snapshot: Snapshot) -> None:
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
