"""The compiled matcher (rules/compiled.py) against experta's Rete: same rules, same findings.

The reference is the reused experta engine (`ReteRunner`, itself tested against a fresh engine
in tests/advisor/test_engine_lifecycle.py); one test here also keeps the fresh engine. Random
profiles come from the advice properties' strategy (tests/advisor/test_properties.py), with fewer
examples than its `ci` profile gives: each example runs the Rete engine too.
"""

import os
from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings

from advisor import engine as runner
from advisor.advice import advise
from advisor.capital import borrowing_limit
from advisor.models import ProjectProfile
from advisor.money import Converter
from catalogue.snapshot import Snapshot
from rules._experta import MATCH, NOT, TEST, KnowledgeEngine, L, P, Rule
from rules.compiled import ChainingRule, split
from rules.engine import AdvisorEngine, CollectsFindings
from rules.facts import Instrument, Project
from rules.records import caution, group, sourced
from tests.advisor.test_properties import SNAPSHOT, profiles
from tests.builders import TEST_SOURCE, instrument_record, make_profile
from tests.golden.composition import load

EXAMPLES = {"ci": 120, "mutation": 8}.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 30)
_runners: dict[Any, tuple[runner.Runner, runner.ReteRunner]] = {}


def _both(profile: ProjectProfile, snapshot: Snapshot) -> tuple[list, list]:  # type: ignore[type-arg]
    """Findings of the compiled runner and of the reused Rete engine for one profile."""
    money = Converter(snapshot, profile.as_of or date(2026, 11, 22))
    key = (snapshot.revision, money.key())
    if key not in _runners:
        catalogue = runner.catalogue_facts(
            [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
            [runner.model_fact(m) for m in snapshot.business_models],
        )
        _runners[key] = (runner.Runner(catalogue), runner.ReteRunner(catalogue))
    compiled, rete = _runners[key]
    borrowing = borrowing_limit(snapshot, profile, money.on)  # China: loans at most 80% or 75%
    project = runner.project_fact(profile, money.to_eur, borrowing)
    found = compiled.run(project)
    assert compiled.run(project, lean=True) == _lean(found)
    return found, rete.run(project)


def _lean(findings: list) -> list:  # type: ignore[type-arg]
    """What a lean run must give: every hard criterion, and every finding about a row that no
    hard criterion excludes (an advice reads nothing else of an excluded row)."""
    out = {(f.about, f.instrument) for f in findings if f.kind == "criterion" and f.hard}
    return [
        f
        for f in findings
        if (f.kind == "criterion" and f.hard) or (f.about, f.instrument) not in out
    ]


def _assert_same_per_rule(compiled: list, rete: list) -> None:  # type: ignore[type-arg]
    by_rule: dict[str, list[list]] = defaultdict(lambda: [[], []])  # type: ignore[type-arg]
    for side, findings in enumerate((compiled, rete)):
        for finding in findings:
            by_rule[finding.rule][side].append(finding)
    differ = {rule for rule, (a, b) in by_rule.items() if a != b}
    assert not differ, f"the compiled and Rete paths differ on {sorted(differ)}"
    assert compiled == rete  # and in the same order


def test_every_shipped_rule_compiles() -> None:
    """With the shipped packs nothing runs in experta per profile (ARCHITECTURE: the split)."""
    rules = split(AdvisorEngine)
    assert not rules.residual
    assert rules.residual_engine() is None
    assert len(rules.compiled) == len(AdvisorEngine().get_rules()) == 65


GOLDEN = load("cases")


@pytest.mark.parametrize("data", GOLDEN, ids=[case["id"] for case in GOLDEN])
def test_golden_profiles_give_the_same_findings_both_ways(
    data: dict[str, Any], snapshot: Snapshot
) -> None:
    profile = ProjectProfile.model_validate(dict(data["profile"], as_of=data["as_of"].isoformat()))
    compiled, rete = _both(profile, snapshot)
    assert rete, "the reference found nothing: the comparison would prove nothing"
    _assert_same_per_rule(compiled, rete)


@settings(max_examples=EXAMPLES)
@given(profile=profiles())
def test_random_profiles_give_the_same_findings_both_ways(profile: ProjectProfile) -> None:
    compiled, rete = _both(profile, SNAPSHOT)
    _assert_same_per_rule(compiled, rete)


def _advice_both_ways(profile: ProjectProfile, snapshot: Snapshot) -> tuple[str, str]:
    """The advice as served (lean engine runs) and with every finding, as JSON."""
    served = advise(profile, snapshot).model_dump_json()
    full_run = runner.Runner.run
    runner.Runner.run = lambda self, project, lean=False: full_run(self, project)  # type: ignore[method-assign]
    try:
        full = advise(profile, snapshot).model_dump_json()
    finally:
        runner.Runner.run = full_run  # type: ignore[method-assign]
    return served, full


def test_lean_runs_give_byte_identical_advice_on_the_golden_profiles(snapshot: Snapshot) -> None:
    for data in GOLDEN:
        as_of = data["as_of"].isoformat()
        profile = ProjectProfile.model_validate(dict(data["profile"], as_of=as_of))
        served, full = _advice_both_ways(profile, snapshot)
        assert served == full, data["id"]


@settings(max_examples=EXAMPLES)
@given(profile=profiles())
def test_lean_runs_give_byte_identical_advice_on_random_profiles(profile: ProjectProfile) -> None:
    served, full = _advice_both_ways(profile, SNAPSHOT)
    assert served == full


def test_a_lean_run_leaves_findings_out(snapshot: Snapshot) -> None:
    """The lean path does skip work: the comparison above is not between two full runs."""
    profile = make_profile(country="CN", sector="transport", revenue_streams=["fines"])
    money = Converter(snapshot, date(2026, 11, 22))
    catalogue = runner.catalogue_facts(
        [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
        [runner.model_fact(m) for m in snapshot.business_models],
    )
    project = runner.project_fact(
        profile, money.to_eur, borrowing_limit(snapshot, profile, date(2026, 11, 22))
    )
    compiled = runner.Runner(catalogue)
    full, lean = compiled.run(project), compiled.run(project, lean=True)
    assert len(lean) < len(full) * 0.8
    assert [f for f in full if f.kind == "criterion" and f.hard] == [
        f for f in lean if f.kind == "criterion" and f.hard
    ]


def test_the_compiled_runner_agrees_with_a_fresh_engine(snapshot: Snapshot) -> None:
    profile = make_profile(country="CN", sector="transport", revenue_streams=["fines"])
    money = Converter(snapshot, date(2026, 11, 22))
    catalogue = runner.catalogue_facts(
        [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
        [runner.model_fact(m) for m in snapshot.business_models],
    )
    project = runner.project_fact(
        profile, money.to_eur, borrowing_limit(snapshot, profile, date(2026, 11, 22))
    )
    assert runner.Runner(catalogue).run(project) == runner.run_fresh(project, catalogue)


# --- experta's semantics, rule by rule, on a small catalogue --------------------------------

SOURCE = TEST_SOURCE
_record = instrument_record


RECORDS = [
    _record(id="grant_global", min_partner_countries=1),
    _record(id="ppp_cn", kind="ppp_structure", jurisdiction="CN"),
    _record(id="loan_eu", kind="loan", jurisdiction="EU", min_partner_countries=3),
]
SAME = lambda amount, currency: amount  # noqa: E731  (amounts already in EUR here)
CATALOGUE = runner.catalogue_facts([runner.instrument_fact(r, SAME) for r in RECORDS], [])
PROFILES = [
    {"country": "CN"},
    {"country": "FR", "partners": {"countries": 3, "industry": True}},
    {"country": "US", "partners": {"countries": 1, "industry": True}},
    {"country": "LT", "population": 5_000},
]


def _say(rule: str, **values: Any) -> list:  # type: ignore[type-arg]
    """A caution whose text shows every value the rule received, with its type."""
    text = ", ".join(f"{k}={v!r}" for k, v in sorted(values.items()))
    return [caution("instrument_x", rule, text, "test")]


class SemanticsPack(KnowledgeEngine):
    """Rules that lean on experta's matching semantics (all of them compile)."""

    @Rule(Project(jurisdiction=MATCH.j), Instrument(jurisdiction=MATCH.j, id=MATCH.iid))
    @sourced("test")
    def caution_join_on_a_shared_variable(self, j, iid):
        """Join: the instrument's jurisdiction equals the project's."""
        self.declare(*_say("caution_join_on_a_shared_variable", j=j, iid=iid))

    @Rule(Project(industry_partner=MATCH.flag), Instrument(min_partners=MATCH.flag, id=MATCH.iid))
    @sourced("test")
    def caution_join_keeps_the_catalogue_value(self, flag, iid):
        """True == 1: the join holds, and the value kept is the one experta's join keeps."""
        self.declare(*_say("caution_join_keeps_the_catalogue_value", flag=flag, iid=iid))

    @Rule(Project(country=MATCH.country), Instrument(no_such_field=MATCH.x))
    @sourced("test")
    def caution_missing_field_fails(self, country, x):
        """A pattern on a field no fact has never matches."""
        self.declare(*_say("caution_missing_field_fails", country=country, x=x))

    @Rule(
        Project(population=MATCH.pop & P(lambda p: p is not None and p < 10_000)),
        TEST(lambda pop, iid: iid is None),  # iid is not bound yet here: experta passes None
        Instrument(kind=~L("grant"), id=MATCH.iid),
    )
    @sourced("test")
    def caution_test_where_it_stands(self, pop, iid):
        """A TEST sees only what the patterns before it bound; `~L` and `MATCH & P` bind."""
        self.declare(*_say("caution_test_where_it_stands", pop=pop, iid=iid))

    @Rule(Project(country=MATCH.country), group("kind", MATCH.kind), salience=5)
    @sourced("test")
    def caution_rhs_with_kwargs(self, **bound):
        """A right-hand side with **kwargs receives every binding."""
        self.declare(*_say("caution_rhs_with_kwargs", **{k: v for k, v in bound.items()
                                                          if k not in ("c", "soft")}))  # fmt: skip


class NotPack(KnowledgeEngine):
    @Rule(
        Project(jurisdiction=MATCH.j),
        NOT(Instrument(jurisdiction=MATCH.j, kind="ppp_structure")),
        group("kind", "grant"),
    )
    @sourced("test")
    def caution_no_ppp_structure_in_jurisdiction(self, j, ids, c, soft):
        """Fires only where no PPP structure of the project's jurisdiction is catalogued."""
        self.declare(*_say("caution_no_ppp_structure_in_jurisdiction", j=j, ids=ids))


class ChainingPack(KnowledgeEngine):
    @Rule(Project(country=MATCH.country), group("kind", "grant"))
    @sourced("test")
    def caution_that_chains(self, country, ids, c, soft):
        """Declares a fact another rule could match: it cannot be compiled."""
        self.declare(Instrument(id=f"derived_{country}"))


def _runs(engine_class: type[CollectsFindings]) -> list[tuple[list, list]]:  # type: ignore[type-arg]
    """Compiled and Rete findings of `engine_class` over the small catalogue, per profile."""
    compiled = runner.Runner(CATALOGUE, engine_class)
    rete = runner.ReteRunner(CATALOGUE, engine_class)
    projects = [runner.project_fact(make_profile(**p), SAME) for p in PROFILES]
    return [(compiled.run(project), rete.run(project)) for project in projects]


def test_experta_semantics_are_reproduced() -> None:
    engine_class = type("Semantics", (CollectsFindings, SemanticsPack), {})
    assert not split(engine_class).residual
    fired = set()
    for profile, (compiled, rete) in zip(PROFILES, _runs(engine_class), strict=True):
        assert compiled == rete
        fired |= {f.rule for f in rete}
        texts = {f.text for f in rete}
        if profile["country"] == "US":  # Rete keeps the catalogue's 1, not the project's True
            assert "flag=1, iid='grant_global'" in texts
    assert fired == {
        "caution_join_on_a_shared_variable",
        "caution_join_keeps_the_catalogue_value",
        "caution_test_where_it_stands",
        "caution_rhs_with_kwargs",
    }


def test_a_rule_with_a_not_pattern_stays_in_experta_and_gives_its_findings() -> None:
    engine_class = type("WithNot", (AdvisorEngine, NotPack), {})
    rules = split(engine_class)
    assert [name for name, _, _ in rules.residual] == ["caution_no_ppp_structure_in_jurisdiction"]
    assert "NOT" in rules.residual[0][2]
    assert len(rules.compiled) == 65
    fired = []
    for compiled, rete in _runs(engine_class):
        assert compiled == rete
        fired.append(any(f.rule == "caution_no_ppp_structure_in_jurisdiction" for f in rete))
    assert fired == [False, True, True, True]  # CN has a PPP structure catalogued


def test_a_compiled_rule_that_declares_a_non_finding_raises() -> None:
    engine_class = type("Chaining", (CollectsFindings, ChainingPack), {})
    assert not split(engine_class).residual  # its pattern compiles; its action is found out
    project = runner.project_fact(make_profile(), SAME)
    with pytest.raises(ChainingRule, match="caution_that_chains declared Instrument"):
        runner.Runner(CATALOGUE, engine_class).run(project)
