"""Consistency of the rule packs with each other and with the catalogue."""

import inspect
from datetime import date, timedelta

import pytest

from advisor.advice import advise
from advisor.models import ProjectProfile
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules._experta import Rule
from rules.engine import PACKS, AdvisorEngine
from rules.facts import DERIVED, Project
from tests.builders import make_profile


def _rules(pack: type) -> dict[str, Rule]:
    return {name: obj for name, obj in vars(pack).items() if isinstance(obj, Rule)}


def test_rule_names_are_unique_across_packs() -> None:
    seen: dict[str, str] = {}
    for pack in PACKS:
        for name in _rules(pack):
            assert name not in seen, f"{name} in both {seen[name]} and {pack.__name__}"
            seen[name] = pack.__name__
    assert len(AdvisorEngine().get_rules()) == len(seen)


@pytest.mark.parametrize("pack", PACKS, ids=lambda p: p.__name__)
def test_every_rule_has_a_docstring_and_a_source(pack: type) -> None:
    assert inspect.getdoc(pack) or inspect.getmodule(pack).__doc__
    for name, rule in _rules(pack).items():
        func = rule._wrapped
        assert (func.__doc__ or "").strip(), f"{name} has no docstring"
        assert getattr(func, "source", ""), f"{name} has no source"


def test_every_rule_matches_the_project() -> None:
    """A rule on instruments alone would fire once per engine, not once per profile."""
    for pack in PACKS:
        for name, rule in _rules(pack).items():
            assert any(isinstance(p, Project) for p in rule), f"{name} ignores the project"


def test_no_rule_matches_a_finding() -> None:
    """Findings bypass the Rete network (rules/engine.py): no rule may depend on one."""
    for pack in PACKS:
        for name, rule in _rules(pack).items():
            assert not any(isinstance(p, DERIVED) for p in rule), name


def test_rule_method_names_read_as_conclusions() -> None:
    verbs = ("exclude_", "score_", "caution_")
    for pack in PACKS:
        for name in _rules(pack):
            assert name.startswith(verbs), name


def _profile_for(record: InstrumentRecord) -> ProjectProfile | None:
    """A profile built from the instrument's own attributes, on a date it was open."""
    countries = record.countries()
    country = countries[0] if countries else ("CN" if record.jurisdiction == "CN" else "FR")
    banned = record.params.get("prohibited_countries")
    if banned and country in str(banned):
        country = "FR"
    if record.status == "prohibited":
        return None
    # a profile can only be dated from 2000 on (ProjectProfile.as_of)
    start = max(record.valid_from or date(2014, 8, 1), date(2000, 1, 1))
    when = start if record.valid_to is None else min(start + timedelta(days=30), record.valid_to)
    total = max(record.min_project_cost or 0, (record.min_ticket or 0) * 2, 5_000_000)
    if record.max_project_cost:
        total = min(total, record.max_project_cost)
    # a loan or a bond is repaid from somewhere: a project with revenue of its own (in China a
    # city company may borrow on nothing else, Guofa [2014] 43)
    revenue = list(record.revenue_streams_any[:1]) or (
        ["user_fees"] if record.revenue_required or record.kind in ("loan", "bond") else []
    )
    dev = None
    if "development" in record.costs_covered:
        dev = {
            "amount": max(total * 0.1, record.min_ticket or 0) + 1,
            "currency": record.ticket_currency,
        }
    return make_profile(
        country=country,
        city=None,
        region_category="less_developed" if country != "CN" else None,
        sector=record.sectors[0] if record.sectors else "multi_sector",
        stage=record.stages[0] if record.stages else "deployment",
        applicant=record.applicant_types[0] if record.applicant_types else "municipality",
        capex={"amount": total, "currency": record.ticket_currency},
        development_cost=dev,
        revenue_streams=revenue,
        population=max(record.min_population or 0, 100_000),
        partners={"countries": record.min_partner_countries or 0},
        as_of=when.isoformat(),
    )


def test_every_catalogued_instrument_is_reachable(snapshot: Snapshot) -> None:
    """Each instrument comes out eligible for some profile (on the short list, also eligible, or
    to check where it rests on an unconfirmed fact): no rule blocks it for good."""
    unreachable = []
    for record in snapshot.instruments:
        profile = _profile_for(record)
        if profile is None:
            continue
        advice = advise(profile, snapshot)
        eligible = {o.instrument_id for o in advice.options}
        eligible |= {o.instrument_id for o in advice.also_eligible}
        eligible |= {o.instrument_id for o in advice.to_check}
        if record.id not in eligible:
            why = next(e.reasons for e in advice.excluded if e.instrument_id == record.id)
            unreachable.append((record.id, [r.text for r in why]))
    assert not unreachable


def test_prohibited_instruments_are_never_recommended(snapshot: Snapshot) -> None:
    prohibited = [r for r in snapshot.instruments if r.status == "prohibited"]
    for record in prohibited:
        advice = advise(make_profile(country="CN", as_of="2026-11-22"), snapshot)
        assert record.id not in {o.instrument_id for o in advice.options}


def test_reused_engine_and_fresh_engine_give_the_same_advice(snapshot: Snapshot) -> None:
    profiles = [
        make_profile(),
        make_profile(country="CN", sector="transport", revenue_streams=["fines"]),
        make_profile(country="DE", stage="planning", development_cost={"amount": 2e6}),
        make_profile(country="US", sector="energy_efficiency", as_of="2014-08-01"),
    ]
    for profile in profiles * 2:  # twice: leftovers of a run would show on the second pass
        assert advise(profile, snapshot) == advise(profile, snapshot, fresh=True)
