"""Runs the rule engine for one profile: facts in, derived findings out.

The two conversions of STYLE.md (7): advisor/facts.py builds facts from the domain models
(`project_fact`, `instrument_fact`, ...; importable from here too), and `run` returns plain
`Finding` records, so fact objects never leave the advisor.

Three runners give the same findings (tests/rules/test_compiled.py, tests/advisor/
test_engine_lifecycle.py) and bench/engine.py measures them side by side:

`Runner`      what advise() uses: the rules compiled from their experta declarations
              (rules/compiled.py) over one catalogue revision, matched once per catalogue; per
              profile only the project is bound and joined. Rules the compiler cannot express
              run in a `ReteRunner` that holds only them (none with the shipped packs).
`ReteRunner`  the previous engine: one experta engine with the catalogue's facts declared once;
              per profile it declares the project, runs, collects and retracts the project.
`run_fresh`   the naive path: a fresh engine, every fact declared again.
"""

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from advisor import heap
from advisor.facts import (  # where callers import the conversions from
    FINANCE_DIMENSIONS,
    LEVEL,
    UNDERTAKINGS,
    ToEur,
    catalogue_facts,
    citation,
    instrument_fact,
    jurisdiction_of,
    maturity_level,
    model_fact,
    project_fact,
    reach_of,
    terms_of,
)
from rules.compiled import Matcher, split
from rules.engine import AdvisorEngine, CollectsFindings
from rules.facts import Caution, Criterion, Group, Instrument, Project, Score

__all__ = [
    "FINANCE_DIMENSIONS",
    "LEVEL",
    "UNDERTAKINGS",
    "Finding",
    "ReteRunner",
    "Runner",
    "ToEur",
    "catalogue_facts",
    "citation",
    "instrument_fact",
    "jurisdiction_of",
    "maturity_level",
    "model_fact",
    "project_fact",
    "reach_of",
    "run_fresh",
    "runner_for",
    "terms_of",
]


class Finding(NamedTuple):
    """One derived fact as plain data: a criterion, a score or a caution."""

    kind: str  # "criterion" | "score" | "caution"
    instrument: str
    rule: str
    source: str
    text: str = ""
    points: float = 0.0
    test: str | None = None
    value: str | None = None
    threshold: str | None = None
    hard: bool = True
    fixable: bool = False
    hint: str | None = None
    about: str = "instrument"  # or "business_model"


_plain = tuple.__new__  # a Finding from its fields in order, without keyword parsing


def _finding(fact: Any) -> Finding:
    data = fact  # findings are plain dicts of immutable values (rules/facts.py)
    if isinstance(fact, Criterion):
        return _plain(Finding, (
            "criterion", data["instrument"], data["rule"], data["source"], "", 0.0,
            data["test"], data["value"], data["threshold"], data["hard"], data["fixable"],
            data["hint"], data["about"],
        ))  # fmt: skip
    if isinstance(fact, Score):
        return _plain(Finding, (
            "score", data["instrument"], data["rule"], data["source"], data["text"],
            float(data["points"]), None, None, None, True, False, None, data["about"],
        ))  # fmt: skip
    assert isinstance(fact, Caution)
    return _plain(Finding, (
        "caution", data["instrument"], data["rule"], data["source"], data["text"], 0.0,
        None, None, None, True, False, None, data["about"],
    ))  # fmt: skip


def _collect(engine: AdvisorEngine) -> list[Any]:
    """This run's findings (each rule fires once per group, so each finding comes once)."""
    found = list(engine.findings)
    engine.findings.clear()
    return found


class ReteRunner:
    """One experta engine with the catalogue facts of one revision declared once (the previous
    engine, kept as the reference the compiled path is tested against).

    Per profile: declare the project, run, collect the findings, retract the project, so the
    working memory is the catalogue again. Once built, the engine's objects are moved out of
    the garbage collector's reach (gc.freeze): they live as long as the engine, and scanning
    them at every full collection would put those pauses into request latencies. Frozen
    objects are never collected, so every build first unfreezes and collects: an engine
    discarded since the last build (a retired revision, a failed run) is freed then, not kept
    frozen for the life of the process.
    """

    def __init__(
        self,
        catalogue: list[Instrument | Group],
        engine_class: type[CollectsFindings] = AdvisorEngine,
    ) -> None:
        self.catalogue = catalogue
        self.engine_class = engine_class
        self.engine: CollectsFindings | None = self._build()

    def _build(self) -> CollectsFindings:
        gc.unfreeze()  # what was discarded since the last freeze can be collected again
        gc.collect()
        engine = self.engine_class()
        engine.reset()
        engine.declare(*self.catalogue)
        gc.collect()
        gc.freeze()
        return engine

    def run(self, project: Project) -> list[Finding]:
        if self.engine is None:
            self.engine = self._build()
        engine = self.engine
        project = project.copy()  # the caller's fact stays undeclared and reusable
        try:
            engine.declare(project)
            engine.run()
            findings = sorted((_finding(f) for f in _collect(engine)), key=_order)
            engine.retract(project)
            return findings
        except BaseException:
            # never reuse an engine a failed run left behind; the next run builds a new one,
            # once the traceback that still holds this one has gone
            self.engine = None
            raise
        finally:
            engine.findings.clear()


class Runner:
    """The rules of one catalogue revision, compiled from their experta declarations.

    Built once per revision: each rule's catalogue patterns are matched against the catalogue
    (rules/compiled.py). Per profile: the project is bound and joined with those candidates, and
    the right-hand sides run as experta would run them. The compiled path holds no Rete network
    and no tokens, only the candidates and their bindings; `runner_for` has a long-lived
    process freeze them out of the collector's full passes (advisor/heap.py `adopt`). A failed
    run leaves nothing behind: each run starts from the same candidates.
    """

    def __init__(
        self,
        catalogue: list[Instrument | Group],
        engine_class: type[CollectsFindings] = AdvisorEngine,
    ) -> None:
        self.catalogue = catalogue
        rules = split(engine_class)
        self.matcher = Matcher(rules.compiled, catalogue, _finding)
        residual = rules.residual_engine()
        self.residual = ReteRunner(catalogue, residual) if residual is not None else None

    def run(self, project: Project, *, lean: bool = False) -> list[Finding]:
        """The findings for `project`; `lean` leaves out what an advice never reads of a row a
        hard criterion excludes (rules/compiled.py `Matcher.run`)."""
        found = self.matcher.run([project], lean=lean)
        if self.residual is not None:
            found.extend(self.residual.run(project))
        return in_order(found)


def run_fresh(project: Project, catalogue: list[Instrument | Group]) -> list[Finding]:
    """The naive path: a new engine and every fact declared again (in one batch, as a
    `Runner` declares them, so the two differ only in reusing the engine)."""
    engine = AdvisorEngine()
    engine.reset()
    engine.declare(*catalogue)
    engine.declare(project)
    engine.run()
    return sorted((_finding(f) for f in _collect(engine)), key=_order)


def _order(finding: Finding) -> tuple[str, str, str, str, str, str]:
    return (
        finding.about,
        finding.instrument,
        finding.kind,
        finding.rule,
        finding.text,
        finding.value or "",
    )


def in_order(findings: list[Finding]) -> list[Finding]:
    """`findings` sorted by `_order`, stably, comparing one string per finding.

    The six fields of `_order` joined by NUL compare as its tuple does when every field is a
    str holding no NUL: the first field that differs decides at its first differing character,
    and where one is the other's prefix, the shorter meets a NUL (or its end), lower than any
    character. Strings compare in C; tuples field by field. Any other finding: the tuple."""
    try:
        keys = [
            "\0".join((f.about, f.instrument, f.kind, f.rule, f.text, f.value or ""))
            for f in findings
        ]
    except TypeError:  # a field that is not a str
        return sorted(findings, key=_order)
    if "".join(keys).count("\0") != 5 * len(keys):  # a field holds a NUL
        return sorted(findings, key=_order)
    return [findings[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]


_local = threading.local()
# Per thread: catalogue revisions x the ticket currencies' rates in force. The shipped FX table
# gives 13 sets of rates (one a year, 2014-2026; earlier dates take the first), so a portfolio
# over every year keeps one runner each (about 3 MB) instead of rebuilding one for most advices,
# as it did when 8 were kept (bench/rate_years.py); tests/advisor/test_engine_lifecycle.py
# holds the table's sets within this bound.
RUNNERS_KEPT = 16


def runner_for(key: tuple[Any, ...], build: Callable[[], list[Instrument | Group]]) -> Runner:
    """This thread's runner for `key` (catalogue revision and FX rates used), built on first use."""
    cache: OrderedDict[tuple[Any, ...], Runner] | None = getattr(_local, "runners", None)
    if cache is None:
        cache = _local.runners = OrderedDict()
    runner = cache.get(key)
    if runner is None:
        retired = len(cache) >= RUNNERS_KEPT
        while len(cache) >= RUNNERS_KEPT:  # the least recently used goes
            cache.popitem(last=False)
        runner = cache[key] = Runner(build())
        heap.adopt(retired)  # a long-lived process keeps it out of the collector's full passes
    else:
        cache.move_to_end(key)
    return runner
