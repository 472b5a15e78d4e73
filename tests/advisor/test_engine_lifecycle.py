"""Engine lifecycle.

The reused experta engine (`ReteRunner`, the previous engine and the reference of the compiled
path): a discarded engine is freed, whatever the runner froze before. The compiled `Runner`
holds no engine when every rule compiles; it freezes nothing, and a failed run leaves nothing
behind that the next run would see.
"""

import gc
import weakref
from datetime import date

import pytest

from advisor import engine as runner
from advisor.money import Converter
from catalogue.snapshot import Snapshot
from rules import compiled as compiled_rules
from rules.facts import Caution, Criterion, Score
from tests.builders import make_profile


@pytest.fixture(scope="module")
def catalogue(snapshot: Snapshot) -> list:  # type: ignore[type-arg]
    money = Converter(snapshot, date(2026, 11, 22))
    return runner.catalogue_facts(
        [runner.instrument_fact(r, money.to_eur) for r in snapshot.instruments],
        [runner.model_fact(m) for m in snapshot.business_models],
    )


def _project(snapshot: Snapshot) -> runner.Project:
    profile = make_profile()
    money = Converter(snapshot, date(2026, 11, 22))
    return runner.project_fact(profile, money.to_eur)


def test_a_discarded_engine_is_freed_after_a_rebuild(catalogue: list) -> None:  # type: ignore[type-arg]
    first = runner.ReteRunner(catalogue)
    old = weakref.ref(first.engine)
    del first
    second = runner.ReteRunner(catalogue)  # a new revision: the old runner is gone
    gc.collect()
    assert old() is None, "the discarded engine is still alive (kept frozen)"
    assert second.engine is not None


def test_rebuilds_do_not_accumulate_frozen_objects(catalogue: list) -> None:  # type: ignore[type-arg]
    """Ten rebuilds freeze about what one engine holds, not ten engines' worth."""
    held = runner.ReteRunner(catalogue)
    one = gc.get_freeze_count()
    for _ in range(10):
        held = runner.ReteRunner(catalogue)
    assert held.engine is not None
    assert gc.get_freeze_count() < one * 1.2


def test_an_engine_a_failed_run_left_behind_is_freed_and_replaced(
    catalogue: list,  # type: ignore[type-arg]
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = runner.ReteRunner(catalogue)
    project = _project(snapshot)
    expected = run.run(project)
    old = weakref.ref(run.engine)

    def fail(self: object) -> None:
        raise RuntimeError("a rule failed")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(runner.AdvisorEngine, "run", fail)
        run.run(project)
    assert run.run(project) == expected  # a new engine, the same findings
    gc.collect()
    assert old() is None, "the engine of the failed run is still alive"
    assert run.engine is not None


def test_reused_and_fresh_engines_agree(catalogue: list, snapshot: Snapshot) -> None:  # type: ignore[type-arg]
    project = _project(snapshot)
    reused = runner.ReteRunner(catalogue)
    first = reused.run(project)
    assert reused.run(project) == first  # the working memory is the catalogue again
    assert runner.run_fresh(project, catalogue) == first
    compiled = runner.Runner(catalogue)
    assert compiled.run(project) == first
    assert compiled.run(project) == first  # nothing of the first run is left behind


def test_the_compiled_runner_runs_no_engine_and_freezes_nothing(catalogue: list) -> None:  # type: ignore[type-arg]
    gc.unfreeze()
    compiled = runner.Runner(catalogue)
    assert compiled.residual is None  # every shipped rule compiles: no experta engine per profile
    assert gc.get_freeze_count() == 0


def test_a_failed_compiled_run_leaves_the_runner_usable(
    catalogue: list,  # type: ignore[type-arg]
    snapshot: Snapshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = runner.Runner(catalogue)
    project = _project(snapshot)
    expected = compiled.run(project)

    def fail(*args: object) -> None:
        raise RuntimeError("a rule failed")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError):
        patch.setattr(compiled_rules._Collector, "declare", fail)
        compiled.run(project)
    assert compiled.run(project) == expected


def test_runners_are_kept_least_recently_used_first_out(catalogue: list) -> None:  # type: ignore[type-arg]
    """A thread keeps RUNNERS_KEPT runners: a key used again stays, the one unused longest goes,
    so that traffic over a few dates and revisions does not rebuild the rules every request."""
    runner._local.runners = None
    built: list[int] = []

    def build(n: int) -> list:  # type: ignore[type-arg]
        built.append(n)
        return catalogue[:5]

    for n in range(runner.RUNNERS_KEPT):
        runner.runner_for(("rev", n), lambda n=n: build(n))
    runner.runner_for(("rev", 0), lambda: build(0))  # used again: now the most recent
    runner.runner_for(("rev", "new"), lambda: build(-1))  # evicts key 1, not key 0
    runner.runner_for(("rev", 0), lambda: build(0))
    assert built == [*range(runner.RUNNERS_KEPT), -1]
    runner.runner_for(("rev", 1), lambda: build(1))
    assert built[-1] == 1
    runner._local.runners = None


def test_a_portfolio_over_every_rate_year_builds_each_runner_once(snapshot: Snapshot) -> None:
    """The ticket currencies' rates in force change once a year in the FX table; a portfolio
    whose advice dates span every year of the table, in turn and again, builds one runner per
    set of rates and reuses it, however the dates alternate."""
    years = sorted({rate.date.year for rate in snapshot.fx_rates})
    dates = [date(years[0] - 1, 6, 1)] + [date(y, 6, 1) for y in years]
    keys = {Converter(snapshot, d).key_for(snapshot.ticket_currencies) for d in dates}
    assert len(keys) <= runner.RUNNERS_KEPT
    runner._local.runners = None
    built = 0
    original = runner.Runner

    def counted(*args: object, **kwargs: object) -> runner.Runner:
        nonlocal built
        built += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    from advisor.advice import advise

    profile = make_profile()
    try:
        runner.Runner = counted  # type: ignore[assignment,misc]
        for when in dates + dates[::-1] + dates:
            advise(profile.model_copy(update={"as_of": when}), snapshot)
    finally:
        runner.Runner = original  # type: ignore[misc]
        runner._local.runners = None
    assert built == len(keys)


@pytest.mark.parametrize(
    ("fact", "fields"),
    [
        (
            Criterion,
            {"instrument": "i", "rule": "r", "source": "s", "test": "t", "value": "v",
             "threshold": "th", "passed": False, "hard": False, "fixable": True, "hint": "h",
             "about": "business_model"},
        ),
        (Score, {"instrument": "i", "rule": "r", "source": "s", "text": "x", "points": 2,
                 "about": "instrument"}),
        (Caution, {"instrument": "i", "rule": "r", "source": "s", "text": "x",
                   "about": "business_model"}),
    ],
    ids=["criterion", "score", "caution"],
)  # fmt: skip
def test_a_finding_made_by_position_equals_the_one_made_by_field_names(
    fact: type, fields: dict[str, object]
) -> None:
    """`_finding` builds the tuple by position (it is on the hot path): each field lands where
    its name says, with the defaults of the fields its kind does not have."""
    kind = {Criterion: "criterion", Score: "score", Caution: "caution"}[fact]
    named = {k: v for k, v in fields.items() if k in runner.Finding._fields and k != "passed"}
    if "points" in named:
        named["points"] = float(named["points"])  # type: ignore[arg-type]
    made = runner._finding(fact(**fields))
    assert made == runner.Finding(kind=kind, **named)  # type: ignore[arg-type]
    assert made._asdict() == runner.Finding(kind=kind, **named)._asdict()  # type: ignore[arg-type]
