"""Rules compiled from their own experta declarations: the same rules, matched without the Rete.

Rules stay authored once, in experta. `split` reads each rule of an engine class as experta's
Rete compiler would (`prepare_rule`: the rule in disjunctive normal form, with experta's own
alpha checks for each pattern) and sorts it into one of two sets:

compiled   a conjunction of fact patterns and TESTs, at least one pattern on the per-profile fact
           (`Project`), no two patterns of one fact class, no pattern on a finding, no NOT, OR,
           EXISTS or FORALL, no fact bound with AS and no negated binding (``~MATCH.x``). Its
           right-hand side may only declare findings (Criterion, Score, Caution); one that
           declares anything else raises `ChainingRule` at run time, naming the rule, which must
           then be rewritten or kept in experta.
residual   every other rule, with the reason. They run in a reused experta engine that holds only
           them (`Split.residual_engine`); when none is residual, no experta engine runs per
           profile. With the shipped packs all 65 rules compile and none is residual.

rules/matcher.py runs the compiled rules (`Matcher`: once per catalogue revision, then per
profile); tests/rules/test_compiled.py runs every rule both ways, on the golden profiles and on
random ones, and requires identical findings.
"""

import inspect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any

from rules._experta import EXISTS, NOT, OR, TEST, Fact, Internals, L, Rule
from rules.collector import _Collector as _Collector  # tests make a compiled run fail through it
from rules.engine import CollectsFindings
from rules.facts import DERIVED, Project
from rules.index import ABOUT, rows_of
from rules.matcher import (  # the compiled form and its matcher, where callers import them
    Candidates,
    ChainingRule,
    CompiledRule,
    Matcher,
    Pattern,
    Test,
    bind,
)

__all__ = [
    "ABOUT",
    "PER_PROFILE",
    "Candidates",
    "ChainingRule",
    "CompiledRule",
    "Matcher",
    "Pattern",
    "Split",
    "Test",
    "bind",
    "rows_of",
    "rules_of",
    "split",
]

PER_PROFILE: tuple[type, ...] = (Project,)  # declared for each profile; the rest is catalogue


class _Uncompilable(Exception):
    pass


@dataclass(frozen=True)
class Split:
    compiled: tuple[CompiledRule, ...]
    residual: tuple[tuple[str, Rule, str], ...]  # name, rule, why it stays in experta

    def residual_engine(self) -> type[CollectsFindings] | None:
        """An engine class with only the residual rules (None when every rule compiled)."""
        if not self.residual:
            return None
        rules = {name: rule for name, rule, _ in self.residual}
        return type("ResidualEngine", (CollectsFindings,), rules)


def rules_of(engine_class: type) -> list[tuple[str, Rule]]:
    """The rules an engine of this class holds, by name (experta's `get_rules`)."""
    return inspect.getmembers(engine_class, lambda member: isinstance(member, Rule))


def _constraints(value: Any) -> Iterable[Any]:
    yield value
    if isinstance(value, Internals.ConditionalElement):
        for part in value:
            yield from _constraints(part)


def _bound_names(check: Any) -> set[str]:
    """Variables a FeatureCheck binds; raises for a negated binding."""
    names = set()
    for constraint in _constraints(check.how):
        if isinstance(constraint, Internals.NOTFC):
            inner = list(_constraints(constraint[0]))
            if any(isinstance(c, Internals.Bindable) and c.__bind__ for c in inner):
                raise _Uncompilable(f"negated binding on field {check.what!r}")
        if isinstance(constraint, Internals.Bindable) and constraint.__bind__:
            names.add(constraint.__bind__)
    return names


def _check_order(prepared: Iterable[Rule]) -> Any:
    """Sort key of experta's alpha network (ReteMatcher.build_alpha_part): checks used by more
    patterns of the engine first; the order is the network's, so a predicate meets exactly the
    facts it would meet there."""
    rule_facts = [_facts_of(rule) for rule in chain(prepared, [Rule(Internals.InitialFact())])]
    fact_checks = {f: set(Internals.generate_checks(f)) for f in chain.from_iterable(rule_facts)}
    rank = Counter(chain.from_iterable(fact_checks.values()))

    def key(check: Any) -> tuple[float, int]:
        return (rank[check], hash(check))

    return key


def _facts_of(rule: Rule) -> set[Fact]:
    return {element for element in rule if isinstance(element, Fact)}


def _compile(name: str, prepared: Rule, order: Any) -> CompiledRule:
    steps: list[Pattern | Test] = []
    bound: set[str] = set()
    types: set[type] = set()
    for position, element in enumerate(prepared):
        if isinstance(element, TEST):
            if position == 0:
                raise _Uncompilable("starts with a TEST")
            where = Internals.WhereCheck(element[0])
            steps.append(Test(where.test, tuple(where.parameters)))
            continue
        if isinstance(element, (NOT, OR, EXISTS)) or not isinstance(element, Fact):
            raise _Uncompilable(f"{type(element).__name__} conditional element")
        fact_type = type(element)
        if fact_type is Internals.InitialFact:
            raise _Uncompilable("matches the initial fact")
        if issubclass(fact_type, DERIVED):
            raise _Uncompilable(f"matches a finding ({fact_type.__name__}): it chains")
        if fact_type in types:
            raise _Uncompilable(f"two patterns on {fact_type.__name__}")
        types.add(fact_type)
        checks = []
        literals = []
        names: set[str] = set()
        for check in sorted(Internals.generate_checks(element), key=order, reverse=True):
            if isinstance(check, Internals.TypeCheck):
                continue  # the candidates are chosen by exact type, as TypeCheck does
            if isinstance(check, Internals.FactCapture):
                if not check.bind.startswith("__pattern_"):
                    raise _Uncompilable("a fact bound with AS")
                continue  # the pattern's own capture: never reaches the right-hand side
            names |= _bound_names(check)
            checks.append(check)
            how = check.how
            if (
                isinstance(how, L)
                and how.__bind__ is None
                and isinstance(check.what, str)
                and "__" not in check.what
            ):
                literals.append((check.what, how.value))
        steps.append(
            Pattern(
                fact_type=fact_type,
                checks=tuple(checks),
                names=frozenset(names),
                shared=frozenset(names & bound),
                per_profile=issubclass(fact_type, PER_PROFILE),
                literals=tuple(sorted(literals, key=lambda pair: pair[0])),
            )
        )
        bound |= names
    if not any(isinstance(s, Pattern) and s.per_profile for s in steps):
        raise _Uncompilable("matches no per-profile fact: the Rete fires it once per engine")
    # Rule.__call__: the context's names not starting with "__", only those the method declares
    # unless it takes **kwargs; experta calls `_wrapped` with the engine as `self`
    wanted = prepared._wrapped_args
    arguments = tuple(
        sorted(n for n in bound if not n.startswith("__") and (not wanted or n in wanted))
    )
    return CompiledRule(
        simple=_simple(steps),
        name=name,
        prepared=prepared,
        steps=tuple(steps),
        salience=prepared.salience,
        action=prepared._wrapped,
        arguments=arguments,
    )


def _simple(steps: list[Pattern | Test]) -> tuple[Any, ...] | None:
    """The steps as (project pattern, TESTs, catalogue pattern, TESTs) when they have that
    shape and the two patterns share no variable; else None."""
    patterns = [i for i, step in enumerate(steps) if isinstance(step, Pattern)]
    if len(patterns) != 2 or patterns[0] != 0:
        return None
    first, second = steps[0], steps[patterns[1]]
    assert isinstance(first, Pattern) and isinstance(second, Pattern)
    if not first.per_profile or second.per_profile or second.shared:
        return None
    return (first, tuple(steps[1 : patterns[1]]), second, tuple(steps[patterns[1] + 1 :]))


@cache
def split(engine_class: type) -> Split:
    """Compiled and residual rules of an engine class (computed once per class)."""
    named = rules_of(engine_class)
    prepared = {name: Internals.prepare_rule(rule) for name, rule in named}
    order = _check_order(prepared.values())
    compiled: list[CompiledRule] = []
    residual: list[tuple[str, Rule, str]] = []
    for name, rule in named:
        try:
            compiled.append(_compile(name, prepared[name], order))
        except _Uncompilable as why:
            residual.append((name, rule, str(why)))
    return Split(tuple(compiled), tuple(residual))
