"""What the compiled matcher keeps between profiles (rules/memo.py) gives what a fresh run gives.

A `Matcher` keeps the verdicts of a simple rule's TESTs and the findings an activation's
right-hand side declared (the second time its key comes), keyed on the exact values the project
bound. Values that are equal in
Python but print or test differently (1, 1.0, True; 0.0, -0.0) must not share an entry.
"""

from datetime import date
from typing import Any

from advisor import engine as runner
from rules._experta import MATCH, TEST, KnowledgeEngine, Rule
from rules.eligibility import HARD
from rules.engine import CollectsFindings
from rules.facts import Project
from rules.memo import typed
from rules.records import caution, fail, group, sourced
from tests.builders import instrument_record, make_profile
from tests.rules.test_compiled import _lean

SAME = lambda amount, currency: amount  # noqa: E731  (amounts already in EUR here)
CATALOGUE = runner.catalogue_facts(
    [
        runner.instrument_fact(instrument_record(id="grant_a"), SAME),
        runner.instrument_fact(instrument_record(id="loan_b", kind="loan"), SAME),
    ],
    [],
)
FIRED: list[str] = []  # right-hand sides called, by rule


def _say(rule: str, **values: Any) -> Any:
    FIRED.append(rule)
    text = ", ".join(f"{k}={v!r}" for k, v in sorted(values.items()))
    return caution("instrument_x", rule, text, "test")


class ValuesPack(KnowledgeEngine):
    @Rule(Project(total=MATCH.total), group("kind", MATCH.kind))
    @sourced("test")
    def caution_shows_the_total(self, total, kind, ids, c, soft):
        """The text shows the value with its type: 1 and 1.0 give different findings."""
        self.declare(_say("caution_shows_the_total", total=total, kind=kind))

    @Rule(
        Project(total=MATCH.total),
        TEST(lambda total: repr(total) != "1.0"),
        group("kind", MATCH.kind),
        TEST(lambda total, kind: repr(total) != "-0.0" or kind == "loan"),
    )
    @sourced("test")
    def caution_tests_the_exact_total(self, kind, ids, c, soft):
        """Which activations there are depends on the value's exact type and sign."""
        self.declare(_say("caution_tests_the_exact_total", kind=kind))


ENGINE = type("Values", (CollectsFindings, ValuesPack), {})
TOTALS = [1, 1.0, True, 0.0, -0.0, 1, 0.0, True, -0.0, 1.0]


def _project(total: Any) -> Project:
    fields = dict(runner.project_fact(make_profile(), SAME))
    fields["total"] = total
    return Project(**fields)


def test_typed_keys_keep_equal_values_that_differ_apart() -> None:
    distinct = [1, 1.0, True, 0.0, -0.0, (1, 2), (1.0, 2), "1", None, date(2026, 1, 1)]
    keys = [typed((value,)) for value in distinct]
    assert len(set(keys)) == len(distinct)
    assert typed(("a", (1.5, date(2026, 1, 1)))) == typed(("a", (1.5, date(2026, 1, 1))))
    assert typed(([1],)) is None  # a value it cannot key: that activation is never kept
    assert typed(({1},)) is None


def test_a_kept_run_gives_what_a_fresh_one_gives() -> None:
    kept = runner.Runner(CATALOGUE, ENGINE)
    rete = runner.ReteRunner(CATALOGUE, ENGINE)
    for total in TOTALS:
        project = _project(total)
        fresh = runner.Runner(CATALOGUE, ENGINE).run(project)
        assert kept.run(project) == fresh == rete.run(project), total
        assert kept.run(project, lean=True) == fresh


def test_a_kept_activation_does_not_call_its_right_hand_side_again() -> None:
    kept = runner.Runner(CATALOGUE, ENGINE)
    first = kept.run(_project(2.5))
    assert kept.run(_project(2.5)) == first  # seen twice: now kept
    FIRED.clear()
    assert kept.run(_project(2.5)) == first
    assert FIRED == []
    kept.run(_project(2))  # an int: a new key for the rule that receives the total
    assert set(FIRED) == {"caution_shows_the_total"}  # the other one's findings are kept


class LeanPack(KnowledgeEngine):
    @Rule(
        Project(total=MATCH.total),
        TEST(lambda total: total > 5),
        group("kind", "grant"),
        salience=HARD,
    )
    @sourced("test")
    def exclude_a_above_five(self, total, ids, c, soft):
        """A hard rule excluding one member of the grants' group on a large total."""
        self.declare(*(fail(iid, "exclude_a_above_five", test="t", value=total, threshold=5,
                            source="test") for iid in ids if iid == "grant_a"))  # fmt: skip

    @Rule(Project(sector=MATCH.sector), group("kind", MATCH.kind))
    @sourced("test")
    def caution_each_member(self, sector, kind, ids, c, soft):
        """A soft rule on a group, one finding per member, kept across these totals."""
        self.declare(*(caution(iid, "caution_each_member", f"{kind} {sector}", "test")
                       for iid in ids))  # fmt: skip


LEAN_ENGINE = type("Lean", (CollectsFindings, LeanPack), {})
LEAN_CATALOGUE = runner.catalogue_facts(
    [runner.instrument_fact(instrument_record(id=iid), SAME) for iid in ("grant_a", "grant_c")],
    [],
)


def test_a_kept_firing_in_a_lean_run_leaves_out_what_a_fresh_lean_run_leaves_out() -> None:
    kept = runner.Runner(LEAN_CATALOGUE, LEAN_ENGINE)
    for total in (1, 1, 1):  # the soft firing is kept, with findings about both members
        assert len(kept.run(_project(total), lean=True)) == 2
    rete = runner.ReteRunner(LEAN_CATALOGUE, LEAN_ENGINE)
    for total in (10, 1, 10):  # grant_a excluded, then not, then again: the kept one replayed
        fresh = runner.Runner(LEAN_CATALOGUE, LEAN_ENGINE).run(_project(total), lean=True)
        assert kept.run(_project(total), lean=True) == fresh == _lean(rete.run(_project(total)))
        assert [f.instrument for f in fresh if f.kind == "caution"] == (
            ["grant_c"] if total > 5 else ["grant_a", "grant_c"]
        )
