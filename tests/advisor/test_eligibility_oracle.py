"""The differential test's independent checker, tested on its own against the law.

Each case builds the records it needs, with the values the law gives (cited), so the expected
verdict comes from docs/eligibility.md and the legal text, never from the engine or the
catalogue's current state. `tests/advisor/eligibility_oracle.py` must stay independent of the
engine: the last test reads what importing it loads. The prohibitions (China's among them) are
tested in tests/advisor/test_oracle_prohibitions.py.
"""

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from advisor.models import ProjectProfile
from catalogue.datafiles import load
from tests.advisor.eligibility_oracle import check
from tests.advisor.oracle_cases import record, verdict
from tests.builders import make_profile

ORACLE = [Path(__file__).with_name(n) for n in ("eligibility_oracle.py", "oracle_amounts.py")]
FORBIDDEN = ("rules", "advisor.engine", "advisor.advice", "advisor.mixes", "advisor.grouping")
# Horizon Europe, Reg. (EU) 2021/695 Art. 23(1): entities in a Member State or an associated
# country are eligible for funding; Art. 23(2): entities in a non-associated third country in
# principle bear the cost of their participation. Association windows are written as dated
# reach windows; the non-associated country takes part unfunded.
HORIZON_EUROPE = record(
    id="horizon_europe",
    eligible_countries=["@EU27"],
    stages=["research", "pilot", "demonstration"],
    costs_covered=["investment", "development"],
    valid_from="2021-01-01",
    valid_to="2027-12-31",
    reach=[
        {"countries": ["NO", "IS"], "valid_from": "2021-01-01", "basis": "Art. 22 association"},
        {"countries": ["GB"], "valid_from": "2024-01-01", "basis": "Art. 22 association"},
        {"countries": ["US"], "funded": False, "basis": "Reg. (EU) 2021/695 Art. 23(2)"},
    ],
)
RESEARCH = {"stage": "research", "as_of": "2025-03-01", "partners": {"countries": 3}}


@pytest.mark.parametrize(
    ("country", "as_of", "expected"),
    [
        ("US", "2025-03-01", "excluded"),  # a funded: false window does not fund: Art. 23(2)
        ("BR", "2025-03-01", "excluded"),  # no window at all
        ("LT", "2025-03-01", "eligible"),  # a Member State, Art. 23(1)
        ("NO", "2025-03-01", "eligible"),  # an associated country's window
        ("GB", "2025-03-01", "eligible"),  # inside the dated window
        ("GB", "2023-12-31", "excluded"),  # the day before the window opens
    ],
)
def test_reach_follows_member_states_and_dated_funded_windows(
    country: str, as_of: str, expected: str
) -> None:
    got = verdict(HORIZON_EUROPE, **(RESEARCH | {"country": country, "as_of": as_of}))
    assert got.status == expected
    assert ("reach" in got.failed) == (expected == "excluded")


def test_an_empty_country_list_is_open_everywhere() -> None:
    assert verdict(record(), country="KE").status == "eligible"


def test_china_green_bond_is_not_yet_open_before_the_2015_announcement() -> None:
    # PBoC Announcement [2015] No. 39 of 22 Dec 2015 opened green financial bonds
    # (instrument_facts.md CN7 [8]); a bond dated before it has no green-bond route.
    bond = record(
        id="cn_green_bond",
        kind="bond",
        jurisdiction="CN",
        eligible_countries=["CN"],
        ticket_currency="CNY",
        co_financing=[],
        valid_from="2015-12-22",
    )
    before = verdict(
        bond, country="CN", as_of="2014-06-01", capex={"amount": 1e8, "currency": "CNY"}
    )
    assert before.status == "excluded" and before.failed == ("not_yet_open",)
    on = verdict(bond, country="CN", as_of="2015-12-22", capex={"amount": 1e8, "currency": "CNY"})
    assert on.status == "eligible"


def test_closed_after_valid_to_only() -> None:
    # Horizon 2020 ran 2014-2020 (instrument_facts.md A1).
    h2020 = record(id="horizon_2020", valid_from="2014-01-01", valid_to="2020-12-31")
    assert verdict(h2020, as_of="2020-12-31").status == "eligible"
    assert verdict(h2020, as_of="2021-01-01").failed == ("closed",)


# CPR (EU) 2021/1060 Art. 112(3), as docs/eligibility.md section 3 restates it.
ERDF_2021_2027 = record(
    id="erdf_2021_2027",
    eligible_countries=["@EU27"],
    co_financing=[
        {"rate": 0.4, "region_category": "more_developed"},
        {
            "rate": 0.5,
            "region_category": "more_developed",
            "previous_region_category": ["transition", "less_developed"],
        },
        {"rate": 0.6, "region_category": "transition"},
        {
            "rate": 0.7,
            "region_category": "transition",
            "previous_region_category": ["less_developed"],
        },
        {"rate": 0.85, "region_category": "less_developed"},
    ],
)


@pytest.mark.parametrize(
    ("region", "previous", "rate"),
    [
        (None, None, 0.4),  # no region given: the lowest
        ("more_developed", None, 0.4),
        ("more_developed", "transition", 0.5),
        ("more_developed", "more_developed", 0.4),
        ("transition", None, 0.6),
        ("transition", "less_developed", 0.7),
        ("transition", "transition", 0.6),
        ("less_developed", "less_developed", 0.85),
    ],
)
def test_erdf_rate_by_region_category_and_its_2014_2020_category(
    region: str | None, previous: str | None, rate: float
) -> None:
    extra: dict[str, Any] = {}
    if region:
        extra["region_category"] = region
    if previous and "region_category_2014_2020" in ProjectProfile.model_fields:
        extra["region_category_2014_2020"] = previous
    elif previous and previous != region:
        pytest.skip("the profile has no region_category_2014_2020 yet")
    got = verdict(ERDF_2021_2027, capex={"amount": 10_000_000, "currency": "EUR"}, **extra)
    assert got.status == "eligible"
    assert got.amount_eur == pytest.approx(rate * 10_000_000)


def test_horizon_rates_follow_the_applicant() -> None:
    # H2020 / Horizon Europe: 100%, 70% for profit-making undertakings in innovation actions
    # (instrument_facts.md A1). An entry naming the applicant replaces the general one.
    grant = record(
        co_financing=[{"rate": 1.0}, {"rate": 0.7, "applicant": ["sme", "large_enterprise"]}]
    )
    assert verdict(grant, applicant="municipality").amount_eur == pytest.approx(10_000_000)
    assert verdict(grant, applicant="sme").amount_eur == pytest.approx(7_000_000)


def test_a_grant_without_a_rate_is_to_check_and_a_loan_without_one_funds_it_all() -> None:
    grant = record(co_financing=[])
    got = verdict(grant)
    assert got.status == "to_check" and got.amount_eur is None
    # EIB direct loans: at most 50% of project cost (instrument_facts.md A10)
    loan = record(kind="loan", co_financing=[], max_share_of_cost=0.5)
    got = verdict(
        loan,
        capex={"amount": 8_000_000, "currency": "EUR"},
        development_cost={"amount": 2_000_000, "currency": "EUR"},
    )
    assert got.status == "eligible" and got.amount_eur == pytest.approx(5_000_000)


def test_minimum_ticket_against_the_ceiling() -> None:
    # EEEF direct investments EUR 5-25m (instrument_facts.md A11)
    eeef = record(
        id="eeef", kind="financial_instrument", co_financing=[], min_ticket=5e6, max_ticket=25e6
    )
    assert verdict(eeef, capex={"amount": 4_999_000, "currency": "EUR"}).failed == ("min_ticket",)
    assert verdict(eeef, capex={"amount": 6_000_000, "currency": "EUR"}).status == "eligible"
    # a 50% share cap brings EUR 8m down to 4m: below the ticket
    capped = record(kind="loan", co_financing=[], min_ticket=5e6, max_share_of_cost=0.5)
    assert verdict(capped, capex={"amount": 8_000_000, "currency": "EUR"}).failed == ("min_ticket",)
    # ... but only through a cap nobody confirmed: to check, never excluded
    shaky = capped.model_copy(update={"unconfirmed": ["max_share_of_cost"]})
    assert verdict(shaky, capex={"amount": 8_000_000, "currency": "EUR"}).status == "to_check"


def test_project_size_in_eur_at_the_rate_in_force() -> None:
    # ELENA: programmes of at least EUR 30m (instrument_facts.md A9); CNY 240m is EUR 31.0m at
    # the 2014-10-24 rate (7.7426) and EUR 30.3m at the 2013-05-22 rate (7.9232).
    elena = record(id="elena", min_project_cost=30e6)
    cny = {"capex": {"amount": 240_000_000, "currency": "CNY"}}
    assert verdict(elena, as_of="2014-11-01", **cny).status == "eligible"
    # CNY 236m: EUR 30.48m at the 2014 rate, EUR 29.79m at the 2013 rate
    small = {"capex": {"amount": 236_000_000, "currency": "CNY"}}
    assert verdict(elena, as_of="2014-11-01", **small).status == "eligible"
    assert verdict(elena, as_of="2014-10-23", **small).failed == ("size",)
    # before the earliest rate: the earliest one (as the catalogue's snapshot does)
    assert verdict(elena, as_of="2010-06-01", **small).failed == ("size",)


@pytest.mark.parametrize(
    ("stage", "expected", "phase", "later"),
    [
        ("research", "eligible", "research", False),
        ("pilot", "eligible", "pilot", False),
        ("planning", "excluded", None, False),  # planning leads to deployment, not research
        ("deployment", "excluded", None, False),
        ("operation", "excluded", None, False),
    ],
)
def test_phases_left_to_the_project(
    stage: str, expected: str, phase: str | None, later: bool
) -> None:
    grant = record(stages=["research", "pilot", "demonstration"])
    got = verdict(grant, stage=stage)
    assert (got.status, got.phase, got.later) == (expected, phase, later)


def test_a_later_phase_is_funded_later() -> None:
    loan = record(kind="loan", co_financing=[], stages=["deployment"])
    got = verdict(loan, stage="pilot")
    assert (got.status, got.phase, got.later) == ("eligible", "deployment", True)


def test_population_and_consortium() -> None:
    # UIA: urban authorities of at least 50,000 inhabitants (instrument_facts.md A5); H2020
    # RIA/IA: at least 3 entities from 3 different Member States or associated countries (A1).
    uia = record(id="urban_innovative_actions", min_population=50_000)
    assert verdict(uia, population=49_999).failed == ("population",)
    assert verdict(uia, population=50_000).status == "eligible"
    assert verdict(uia).status == "to_check"  # population not given: to verify
    h2020 = record(id="horizon_2020", min_partner_countries=3)
    assert verdict(h2020).failed == ("consortium",)  # no partners given: 0
    assert verdict(h2020, partners={"countries": 2}).failed == ("consortium",)
    assert verdict(h2020, partners={"countries": 3}).status == "eligible"


def test_an_unconfirmed_criterion_never_excludes() -> None:
    h2020 = record(
        id="horizon_2020", min_partner_countries=3, unconfirmed=["min_partner_countries"]
    )
    got = verdict(h2020, partners={"countries": 1})
    assert got.status == "to_check" and got.unconfirmed_failed == ("consortium",)
    # an unconfirmed eligibility field sends it to check even when the test passes
    assert verdict(h2020, partners={"countries": 5}).status == "to_check"
    # an unconfirmed field that is not an eligibility field does not
    assert verdict(record(unconfirmed=["complexity"])).status == "eligible"


def test_applicant_sector_and_revenue() -> None:
    assert verdict(record(applicant_types=["sme"])).failed == ("applicant",)
    assert verdict(record(sectors=["water"]), sector="transport").failed == ("sector",)
    assert verdict(record(sectors=["water"]), sector="transport", sectors=["water"]).status == (
        "eligible"
    )
    # EPC is paid from energy savings (instrument_facts.md G2)
    espc = record(kind="performance_contract", co_financing=[], revenue_required=True,
                  revenue_streams_any=["energy_savings"])  # fmt: skip
    assert verdict(espc, revenue_streams=["none"]).failed == ("revenue",)
    assert verdict(espc, revenue_streams=["user_fees"]).failed == ("revenue",)
    assert verdict(espc, revenue_streams=["energy_savings"]).status == "eligible"


def test_a_delivery_tool_carries_no_money() -> None:
    iti = record(id="iti", kind="delivery_tool", co_financing=[])
    got = verdict(iti)
    assert got.status == "eligible" and got.amount_eur == 0


def test_every_catalogue_instrument_gets_one_verdict() -> None:
    data = load()
    verdicts = check(make_profile(), data.instruments, data.fx_rates)
    assert set(verdicts) == {r.id for r in data.instruments}
    assert {v.status for v in verdicts.values()} <= {"excluded", "to_check", "eligible"}


def test_the_oracle_does_not_read_the_engine() -> None:
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in ORACLE]
    nodes = [n for tree in trees for n in ast.walk(tree)]
    names = [a.name for n in nodes if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in nodes if isinstance(n, ast.ImportFrom)]
    assert not [m for m in names if m.startswith(FORBIDDEN)]
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, tests.advisor.eligibility_oracle; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True, cwd=ORACLE[0].parents[2],
    ).stdout.split()  # fmt: skip
    assert not [m for m in loaded if m == "rules" or m.startswith(FORBIDDEN)]
