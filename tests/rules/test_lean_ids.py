"""A lean run's soft rules receive only the ids of a group that no hard criterion excluded.

The matcher (rules/matcher.py `_fire`) calls a softer rule's right-hand side, when that firing
is not kept, with the group's ids less the excluded ones: the findings about the others are
then the same only if the rule declares, for each member, findings about that member alone and
none that depend on the other members. These tests hold every shipped rule on a group to that,
by calling it with all its ids and with a part of them, and hold fresh lean runs (where the
restricted firings happen, as nothing is kept yet) to full ones.
"""

from datetime import date
from typing import Any

import pytest

from advisor import engine as runner
from advisor.models import ProjectProfile
from advisor.money import Converter
from catalogue.snapshot import Snapshot
from rules.compiled import _Collector
from tests.golden.composition import load
from tests.rules.test_compiled import _lean

GOLDEN = load("cases")


def _inputs(data: dict[str, Any], snapshot: Snapshot) -> tuple[list[Any], Any]:
    profile = ProjectProfile.model_validate(dict(data["profile"], as_of=data["as_of"].isoformat()))
    money = Converter(snapshot, profile.as_of or date(2026, 11, 22))
    catalogue = runner.catalogue_facts(
        [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
        [runner.model_fact(m) for m in snapshot.business_models],
    )
    return catalogue, runner.project_fact(profile, money.to_eur)


def _declared(rule: Any, context: dict[str, Any]) -> list[dict[str, Any]]:
    collector = _Collector()
    collector.rule = rule.name
    rule.action(collector, **{name: context[name] for name in rule.arguments})
    return [dict(finding) for finding in collector.findings]


@pytest.mark.parametrize("data", GOLDEN, ids=[case["id"] for case in GOLDEN])
def test_each_rule_on_a_group_declares_per_member(data: dict[str, Any], snapshot: Snapshot) -> None:
    catalogue, project = _inputs(data, snapshot)
    matcher = runner.Runner(catalogue).matcher
    checked = 0
    for _, rule, context, _ in matcher.activations([project]):
        name = matcher.members.get(rule.simple[2]) if rule.simple is not None else None
        if name is None or name not in rule.arguments or len(context[name]) < 2:
            continue
        full = _declared(rule, context)
        part = context[name][::2]
        kept = [f for f in full if f["instrument"] in part]
        assert _declared(rule, {**context, name: part}) == kept, rule.name
        assert all(f["instrument"] in context[name] for f in full), rule.name
        checked += 1
    assert checked, "no rule on a group with two members or more: the test would prove nothing"


@pytest.mark.parametrize("data", GOLDEN, ids=[case["id"] for case in GOLDEN])
def test_a_fresh_lean_run_gives_the_full_run_less_what_it_leaves_out(
    data: dict[str, Any], snapshot: Snapshot
) -> None:
    catalogue, project = _inputs(data, snapshot)
    full = runner.Runner(catalogue).run(project)
    lean = runner.Runner(catalogue)
    assert lean.run(project, lean=True) == _lean(full)
    assert lean.run(project, lean=True) == _lean(full)  # seen once: a second run keeps, in full
    assert lean.run(project, lean=True) == _lean(full)  # and declares what it kept
