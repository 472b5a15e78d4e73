"""The matcher: rules compiled from their experta declarations, run without the Rete.

rules/compiled.py reads each rule of an engine class into a `CompiledRule`: the rule's steps, its
fact patterns (`Pattern`) and TESTs (`Test`) in the rule's order, and its right-hand side. This
module defines that form and executes it.

`Matcher` holds one catalogue revision. Built once: for every pattern that is not on the project,
the catalogue facts that pass the pattern's own constraints (its literals, predicates and
bindings, i.e. experta's alpha network, evaluated by experta's own check objects in the order
the network would apply them), with the bindings each fact gives. Per profile: the project is
bound by its pattern, each rule's candidates are joined in the rule's order with equality on the
variables bound already (experta's `SameContextCheck`), each TEST runs where the rule places it
with its unbound names as None (experta's `WhereCheck`), and the right-hand sides fire in the
order of experta's agenda (salience, then the most recent facts first), each called with exactly
the arguments experta passes (`Rule.__call__`: the bindings that do not start with ``__``,
filtered to the method's parameters). Facts equal to an earlier catalogue fact are dropped as
experta's fact list drops them.

A lean run (`Matcher.run(lean=True)`, what advise() uses) fires the hard rules (salience 20)
first, as experta's agenda does, then leaves out every softer activation whose catalogue rows
(a Group's members) a hard criterion already excluded, before its TESTs run, and drops what is
left about excluded rows but their hard criteria: an advice reads nothing else of them.

Where a variable is bound by two patterns with values that are equal but not the same object
(1 and 1.0), the right-hand side gets the value experta's join would keep: that of the side
whose latest fact was declared first. Within one pattern, a variable bound twice keeps the
value of the check the network applies last. tests/rules/test_compiled.py runs every rule both
ways, on the golden profiles and on random ones, and requires identical findings.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rules._experta import Fact, Rule
from rules.eligibility import HARD  # salience of the hard (go / no-go) rules: they fire first
from rules.facts import DERIVED, Criterion, Group

ABOUT = {"instrument": "instrument", "model": "business_model"}  # Group `of` -> finding `about`


class ChainingRule(RuntimeError):
    """A compiled rule's right-hand side did something other than declare findings."""


@dataclass(frozen=True, eq=False)
class Pattern:
    fact_type: type
    checks: tuple[Any, ...]  # experta FeatureChecks, in the alpha network's order
    names: frozenset[str]  # variables this pattern binds
    shared: frozenset[str]  # ... of which an earlier pattern of the rule binds too
    per_profile: bool
    literals: tuple[tuple[str, Any], ...]  # (field, value) of its plain literal checks


@dataclass(frozen=True, eq=False)
class Test:
    test: Callable[..., Any]
    parameters: tuple[str, ...]  # experta's WhereCheck passes each by name, None when unbound

    def __call__(self, context: dict[str, Any]) -> Any:
        return self.test(**{name: context.get(name) for name in self.parameters})


@dataclass(frozen=True, eq=False)
class CompiledRule:
    name: str
    prepared: Rule  # the rule as experta's network holds it
    steps: tuple[Pattern | Test, ...]
    salience: int
    action: Callable[..., Any]  # the right-hand side
    arguments: tuple[str, ...]  # the bindings it receives (what Rule.__call__ passes)
    simple: tuple[Any, ...] | None  # (project pattern, TESTs, catalogue pattern, TESTs)


def bind(pattern: Pattern, fact: Any) -> dict[str, Any] | None:
    """The bindings `fact` gives `pattern`, or None where it fails (experta's alpha network:
    FeatureTesterNode with experta's own checks; a missing field fails its check)."""
    if type(fact) is not pattern.fact_type:
        return None
    context: dict[str, Any] = {}
    for check in pattern.checks:
        match = check(fact)
        if not match:
            return None
        if isinstance(match, Mapping):
            for key, value in match.items():
                if context.get(key, value) != value:
                    return None
            context.update(match)
    return context


class _Collector:
    """The `self` a compiled right-hand side runs on: it may only declare findings."""

    __slots__ = ("findings", "rule")

    def __init__(self) -> None:
        self.findings: list[Any] = []
        self.rule = ""

    def declare(self, *facts: Any) -> None:
        for fact in facts:
            if not isinstance(fact, DERIVED):
                raise ChainingRule(
                    f"{self.rule} declared {type(fact).__name__}, a fact rules may match: the "
                    "rule chains and must run in experta's Rete"
                )
        self.findings.extend(facts)

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise ChainingRule(f"{self.rule} changes the working memory: it must run in experta")

    retract = modify = duplicate = halt = _refuse


def _fact_key(fact: Fact) -> frozenset[Any]:
    """Identity of a fact in experta's fact list (FactList._get_fact_id)."""
    return frozenset([fact.__class__] + [(k, v) for k, v in fact.items() if not fact.is_special(k)])


class _Index:
    """Catalogue facts by type and by the values of the fields patterns test with a literal, so
    that building a revision's candidates does not run every pattern over every fact. It only
    narrows: each fact it yields still goes through all the pattern's checks, and it relies on
    the hash contract (equal values hash equal); a fact whose tested value cannot be hashed is
    yielded to every such pattern."""

    def __init__(self, facts: list[Fact]) -> None:
        self.by_type: dict[type, list[tuple[int, Fact]]] = {}
        for order, fact in enumerate(facts, start=1):  # 0 is experta's initial fact
            self.by_type.setdefault(type(fact), []).append((order, fact))
        self.tables: dict[tuple[type, tuple[str, ...]], tuple[dict, list]] = {}  # type: ignore[type-arg]

    def maybe(self, pattern: Pattern) -> list[tuple[int, Fact]]:
        rows = self.by_type.get(pattern.fact_type, [])
        if not pattern.literals:
            return rows
        fields = tuple(field for field, _ in pattern.literals)
        key = (pattern.fact_type, fields)
        if key not in self.tables:
            table: dict[Any, list[tuple[int, Fact]]] = {}
            unhashable = []
            for row in rows:
                try:
                    values = tuple(row[1][field] for field in fields)
                except (IndexError, KeyError, TypeError):
                    continue  # a missing field fails its check (FeatureCheck)
                try:
                    table.setdefault(values, []).append(row)
                except TypeError:
                    unhashable.append(row)
            self.tables[key] = (table, unhashable)
        table, unhashable = self.tables[key]
        wanted = tuple(value for _, value in pattern.literals)
        try:
            found = table.get(wanted, [])
        except TypeError:
            return rows
        return found + unhashable if unhashable else found


Candidates = tuple[tuple[int, dict[str, Any], Any], ...]  # (declaration order, bindings, rows)


class Matcher:
    """The compiled rules over one catalogue revision; `run` is the per-profile part."""

    def __init__(self, rules: Iterable[CompiledRule], catalogue: Iterable[Fact]) -> None:
        self.rules = tuple(rules)
        seen: set[frozenset[Any]] = set()
        facts: list[Fact] = []
        for fact in catalogue:  # as experta's fact list: an equal fact is declared once
            key = _fact_key(fact)
            if key not in seen:
                seen.add(key)
                facts.append(fact)
        self.size = len(facts)  # per-profile facts are declared after these
        self.candidates: dict[Pattern, Candidates] = {}
        index = _Index(facts)
        for rule in self.rules:
            for step in rule.steps:
                if isinstance(step, Pattern) and not step.per_profile:
                    found = []
                    for order, fact in index.maybe(step):
                        context = bind(step, fact)
                        if context is not None:
                            found.append((order, context, rows_of(fact)))
                    self.candidates[step] = tuple(sorted(found, key=lambda c: c[0]))

    def activations(
        self,
        per_profile: Iterable[Fact],
        rules: Iterable[CompiledRule] | None = None,
        skip: Any = None,
    ) -> list[tuple[Any, CompiledRule, Any, Any]]:
        """The activations of `rules` (default: all) for these per-profile facts, in the order
        experta's agenda fires them (DepthStrategy: salience, then the most recent facts first):
        (agenda key, rule, bindings, the catalogue rows its facts stand for). With `skip` (a set
        of rows), an activation whose rows all are in it is left out before its TESTs run."""
        profile_facts = list(per_profile)
        found = []
        for rule in self.rules if rules is None else rules:
            for orders, context, rows in self._join(rule, profile_facts, skip):
                key = (rule.salience, sorted(orders, reverse=True))
                found.append((key, rule, context, rows))
        found.sort(key=lambda item: item[0], reverse=True)
        return found

    def _join(
        self, rule: CompiledRule, profile_facts: list[Fact], skip: Any = None
    ) -> list[tuple[list, dict, Any]]:  # type: ignore[type-arg]
        if rule.simple is not None and len(profile_facts) == 1:
            return self._join_simple(rule, profile_facts[0], skip)
        partial: list[tuple[list, dict, Any]] = [([], {}, None)]  # type: ignore[type-arg]
        for step in rule.steps:
            if not partial:
                return partial
            if isinstance(step, Test):
                partial = [token for token in partial if step(token[1])]
                continue
            if step.per_profile:
                candidates = []
                for offset, fact in enumerate(profile_facts):
                    context = bind(step, fact)
                    if context is not None:
                        candidates.append((self.size + 1 + offset, context, None))
            else:
                candidates = self.candidates[step]  # type: ignore[assignment]
            joined = []
            shared = step.shared
            for orders, ctx, rows in partial:
                latest = max(orders, default=-1)
                for order, bindings, more in candidates:
                    if shared:
                        if any(ctx[name] != bindings[name] for name in shared):
                            continue
                        # the token that arrives last keeps the other side's values
                        merged = {**ctx, **bindings} if latest > order else {**bindings, **ctx}
                    else:
                        merged = {**ctx, **bindings}
                    joined.append(([*orders, order], merged, _rows(rows, more)))
            partial = joined
        if skip:
            return [token for token in partial if not (token[2] and token[2] <= skip)]
        return partial

    def _join_simple(
        self, rule: CompiledRule, fact: Fact, skip: Any
    ) -> list[tuple[list, dict, Any]]:  # type: ignore[type-arg]
        """`_join` for the common shape: the project, TESTs, one catalogue pattern that shares no
        variable with it, TESTs (the same steps, without the general join's bookkeeping)."""
        first, before, pattern, after = rule.simple  # type: ignore[misc]
        context = bind(first, fact)
        if context is None or not all(test(context) for test in before):
            return []
        order = self.size + 1
        out = []
        for other, bindings, rows in self.candidates[pattern]:
            if skip and rows and rows <= skip:
                continue
            merged = {**context, **bindings}
            for test in after:
                if not test(merged):
                    break
            else:
                out.append(([order, other], merged, rows))
        return out

    def run(self, per_profile: Iterable[Fact], *, lean: bool = False) -> list[Any]:
        """The findings the compiled rules declare for these per-profile facts, in firing order.

        `lean`: what an advice needs and no more. The hard rules (salience `HARD` and above)
        fire first, as on experta's agenda; then a softer rule's activation is left out, before
        its TESTs run, when every catalogue row it stands for (`rows_of`) is already excluded by
        a hard criterion, and the findings about excluded rows are dropped but their hard
        criteria. An advice reads nothing
        else of an excluded row; tests/rules/test_compiled.py proves the advice
        byte-identical both ways on golden and random profiles.
        """
        collector = _Collector()
        facts = list(per_profile)
        if not lean:
            return self._fire(self.activations(facts), collector)
        hard = [rule for rule in self.rules if rule.salience >= HARD]
        soft = [rule for rule in self.rules if rule.salience < HARD]
        self._fire(self.activations(facts, hard), collector)  # all of them fire first
        excluded = _excluded(collector.findings)
        self._fire(self.activations(facts, soft, skip=excluded), collector)
        return [f for f in collector.findings if _is_hard(f) or _row(f) not in excluded]

    @staticmethod
    def _fire(activations: list[tuple[Any, CompiledRule, Any, Any]], collector: Any) -> list[Any]:
        for _, rule, context, _rows in activations:
            collector.rule = rule.name
            rule.action(collector, **{name: context[name] for name in rule.arguments})
        return collector.findings  # type: ignore[no-any-return]


def _rows(rows: Any, more: Any) -> Any:
    """The rows a partial activation stands for: None before any catalogue fact, False once a
    fact without rows joined (never skipped), else the union."""
    if rows is False or more is False:
        return False
    if more is None:
        return rows
    return more if rows is None else rows | more


def rows_of(fact: Fact) -> frozenset[tuple[str, str]] | bool:
    """The catalogue rows a fact stands for, as (about, id) the findings name: a Group's members.
    Any other fact: False (its rows are unknown, so a lean run never skips it)."""
    if isinstance(fact, Group):
        about = ABOUT.get(fact.get("of"))
        if about is not None:
            return frozenset((about, member) for member in fact.get("members", ()))
    return False


def _is_hard(finding: Any) -> bool:
    return isinstance(finding, Criterion) and bool(finding["hard"])


def _row(finding: Any) -> tuple[str, str]:
    return (finding["about"], finding["instrument"])


def _excluded(findings: list[Any]) -> set[tuple[str, str]]:
    return {_row(f) for f in findings if _is_hard(f)}
