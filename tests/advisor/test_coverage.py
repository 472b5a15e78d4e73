"""Advice.coverage: what the catalogue covers of the project's country, and no padding.

Issue 11 acceptance: "an uncovered country gets the coverage warning and no other
jurisdiction's national programme". A national programme is a record whose eligible countries
are one single country; for a project elsewhere it must never be offered, to check, or mixed.
"""

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.advice import advise
from advisor.models import Advice, ProjectProfile
from catalogue import datafiles
from catalogue.coverage import CoverageEntry, merge
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import EU27, ISO_COUNTRIES, VOCABULARY
from tests.builders import make_profile

DATA = datafiles.load()
SNAPSHOT = Snapshot(DATA.revision, DATA.instruments, DATA.business_models, DATA.fx_rates,
                    DATA.coverage)  # fmt: skip
STATED = {c.country for c in DATA.coverage}
UNCOVERED = sorted(ISO_COUNTRIES - STATED - set(EU27) - {"CN"})
SEED_COUNTRIES = Path(datafiles.DATA_DIR) / "coverage" / "seed_countries.yaml"
WARNING = "national instruments of {country} are not in the catalogue"


def _offered(advice: Advice) -> dict[str, str]:
    """Every instrument the advice puts before the city, and where."""
    out = {o.instrument_id: "options" for o in advice.options}
    out |= {o.instrument_id: "also_eligible" for o in advice.also_eligible}
    out |= {o.instrument_id: "to_check" for o in advice.to_check}
    for mix in advice.mixes:
        out |= {c.instrument_id: f"mix {mix.id}" for c in mix.components}
    return out


def _other_national(advice: Advice, country: str) -> dict[str, str]:
    found = {}
    for iid, where in _offered(advice).items():
        record = SNAPSHOT.instrument(iid)
        assert record is not None
        countries = record.countries()
        if len(countries) == 1 and countries != [country]:
            found[iid] = f"{where}: national programme of {countries[0]}"
    return found


@st.composite
def uncovered_profiles(draw: st.DrawFn) -> ProjectProfile:
    return ProjectProfile.model_validate(
        {
            "name": "generated",
            "country": draw(st.sampled_from(UNCOVERED)),
            "sector": draw(st.sampled_from(VOCABULARY["sector"])),
            "stage": draw(st.sampled_from(VOCABULARY["stage"])),
            "capex": {
                "amount": draw(st.sampled_from([200_000, 5_000_000, 80_000_000])),
                "currency": "EUR",
            },
            "revenue_streams": draw(
                st.lists(st.sampled_from(VOCABULARY["revenue_stream"]), max_size=2, unique=True)
            ),
            "applicant": draw(st.sampled_from(VOCABULARY["applicant"])),
            "as_of": draw(st.dates(min_value=date(2014, 1, 1), max_value=date(2026, 12, 31))),
        }
    )


@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(uncovered_profiles())
def test_an_uncovered_country_gets_the_warning_and_no_other_countrys_programme(
    profile: ProjectProfile,
) -> None:
    advice = advise(profile, SNAPSHOT)
    assert _other_national(advice, profile.country) == {}
    assert advice.coverage is not None
    assert advice.coverage.country == profile.country
    assert advice.coverage.status == "not_covered" and not advice.coverage.complete
    assert {"loans", "bonds", "grants"} <= set(advice.coverage.missing)
    assert any(w.startswith(WARNING.format(country=profile.country)) for w in advice.warnings)


@pytest.mark.parametrize("country", ["KE", "NO", "BR", "IN", "AE", "CH", "JP"])
def test_named_uncovered_countries_get_no_padding(country: str) -> None:
    """Nairobi, Trondheim and others: a water utility with user fees (issue 11's examples)."""
    profile = make_profile(country=country, sector="water", revenue_streams=["user_fees"],
                           as_of="2026-11-30")  # fmt: skip
    advice = advise(profile, SNAPSHOT)
    assert _other_national(advice, country) == {}
    warned = any(w.startswith(WARNING.format(country=country)) for w in advice.warnings)
    assert advice.coverage is not None
    assert warned == bool(advice.coverage.missing)
    if country not in STATED:
        assert warned and advice.coverage.status == "not_covered"


@pytest.mark.parametrize("country", ["US", "GB", "KR", "SE", "DE", "LT", "CN"])
def test_a_covered_countrys_advice_holds_no_other_countrys_programme(country: str) -> None:
    profile = make_profile(country=country, as_of="2026-11-30")
    assert _other_national(advise(profile, SNAPSHOT), country) == {}


def test_state_owned_bank_funding_no_longer_pads_other_countries() -> None:
    """Seed §2.2.2 fn 13 (L771) documents it for Abu Dhabi only: elsewhere it is excluded."""
    kenya = advise(make_profile(country="KE", as_of="2026-11-30"), SNAPSHOT)
    assert "state_owned_bank_funding" not in _offered(kenya)
    why = next(e for e in kenya.excluded if e.instrument_id == "state_owned_bank_funding")
    assert why.reasons[0].rule == "exclude_outside_reach"
    uae = advise(make_profile(country="AE", as_of="2026-11-30"), SNAPSHOT)
    # terms unconfirmed: to check there, never an option or in a mix
    assert _offered(uae).get("state_owned_bank_funding") == "to_check"


def test_china_is_covered_and_carries_no_coverage_warning() -> None:
    advice = advise(make_profile(country="CN", as_of="2026-11-30"), SNAPSHOT)
    cov = advice.coverage
    assert cov is not None and cov.status == "covered" and cov.complete
    assert "cn_policy_bank_loan" in cov.families["loans"]
    assert "cn_special_purpose_bond" in cov.families["bonds"]
    assert not any("national instruments of CN" in w for w in advice.warnings)
    # the 2025 policy financial instrument ran 29 Sep - 31 Oct 2025: closed on this date
    assert cov.closed == {"equity": ["cn_policy_financial_instrument_2025"]}
    assert "equity" not in cov.families


def test_a_family_open_on_the_advice_date_is_covered_then() -> None:
    advice = advise(make_profile(country="CN", as_of="2025-10-15"), SNAPSHOT)
    assert advice.coverage is not None
    assert advice.coverage.families["equity"] == ["cn_policy_financial_instrument_2025"]


def test_a_country_whose_catalogued_grants_all_closed_is_not_covered_today() -> None:
    """The seed's United Kingdom rows are 2012-2016 programmes: in 2026 its grants are missing.

    The coverage is the seed's alone (other files may add newer GB instruments).
    """
    seed_gb = merge(
        [
            ("seed_countries.yaml", entry)
            for entry in map(
                CoverageEntry.model_validate, yaml.safe_load(SEED_COUNTRIES.read_text())
            )
            if entry.country == "GB"
        ]
    )
    snapshot = Snapshot(DATA.revision, DATA.instruments, DATA.business_models, DATA.fx_rates,
                        seed_gb)  # fmt: skip
    today = advise(make_profile(country="GB", as_of="2026-11-30"), snapshot)
    cov = today.coverage
    assert cov is not None and cov.status == "not_covered" and cov.families == {}
    assert "not open on 2026-11-30" in cov.missing["grants"]
    assert any(w.startswith(WARNING.format(country="GB")) for w in today.warnings)
    # in mid-2013 the Future Cities Demonstrator (2012-2013, seed §3.2.5 L1474) was open
    then = advise(make_profile(country="GB", as_of="2013-06-30"), snapshot)
    assert then.coverage is not None
    assert "uk_tsb_future_cities_demonstrator" in then.coverage.families["grants"]
    assert then.coverage.status == "partial"  # loans and bonds nobody reviewed


def test_an_eu_member_state_without_national_records_still_gets_eu_programmes() -> None:
    advice = advise(make_profile(country="LT", as_of="2026-11-30"), SNAPSHOT)
    cov = advice.coverage
    assert cov is not None and cov.status == "not_covered"
    assert any("EU member state" in n for n in cov.notes)
    assert any(w.startswith(WARNING.format(country="LT")) for w in advice.warnings)
    offered = _offered(advice)
    assert any(SNAPSHOT.instrument(i).eu_funds for i in offered)  # type: ignore[union-attr]


def test_a_snapshot_without_coverage_states_nothing_covered() -> None:
    bare = Snapshot(DATA.revision, DATA.instruments, DATA.business_models, DATA.fx_rates)
    advice = advise(make_profile(country="CN", as_of="2026-11-30"), bare)
    assert advice.coverage is not None and advice.coverage.status == "not_covered"
    assert any(w.startswith(WARNING.format(country="CN")) for w in advice.warnings)
