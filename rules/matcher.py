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

What a revision's `Matcher` keeps between profiles (rules/memo.py, docs/engine.md): for a rule
of the simple shape, under the exact values of the project fields its project pattern reads, the
pattern's bindings and, per candidate, its activation if it passed its TESTs, found out when
first met (checks and TESTs are pure functions of what they are passed); and the findings each
activation declared, under the orders of its catalogue facts and the exact values of the
arguments the project bound (a compiled right-hand side only builds findings from its
arguments), kept the second time its key comes. A kept activation adds its findings again
without calling its right-hand side (in a lean run's soft phase, less those the run drops).
All are bounded (`MEMO_*`) and start afresh when full; tests/rules/test_memo.py holds them to
a fresh run.

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
from rules.collector import ChainingRule as ChainingRule  # where callers import it
from rules.collector import _Collector
from rules.eligibility import HARD  # salience of the hard (go / no-go) rules: they fire first
from rules.facts import Criterion
from rules.index import (
    CatalogueIndex,
    fact_key,
    finding_row,
    joined_rows,
    members_name,
    not_excluded,
    rows_of,
)
from rules.memo import fields_read, read, typed

MEMO_JOINS = 10_000  # joins a Matcher keeps at most (rules/memo.py); then it starts afresh
MEMO_FINDINGS = 20_000  # findings a Matcher keeps at most (rules/memo.py); then it starts afresh
MEMO_SEEN = 20_000  # activation keys a Matcher remembers having fired once


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


Candidates = tuple[tuple[int, dict[str, Any], Any], ...]  # (declaration order, bindings, rows)
_FAILED: list[bool | None] = []  # a simple rule's TESTs before its catalogue pattern failed


class Matcher:
    """The compiled rules over one catalogue revision; `run` is the per-profile part."""

    def __init__(
        self,
        rules: Iterable[CompiledRule],
        catalogue: Iterable[Fact],
        plain: Callable[[Any], Any] | None = None,
    ) -> None:
        self.rules = tuple(rules)
        self.plain = plain  # what `run` turns each finding into (None: the finding itself)
        seen: set[frozenset[Any]] = set()
        facts: list[Fact] = []
        for fact in catalogue:  # as experta's fact list: an equal fact is declared once
            key = fact_key(fact)
            if key not in seen:
                seen.add(key)
                facts.append(fact)
        self.size = len(facts)  # per-profile facts are declared after these
        self.candidates: dict[Pattern, Candidates] = {}
        self.members: dict[Pattern, str | None] = {}  # the name binding a Group's ids, if one
        index = CatalogueIndex(facts)
        for rule in self.rules:
            for step in rule.steps:
                if isinstance(step, Pattern) and not step.per_profile:
                    found, bound = [], []
                    for order, fact in index.maybe(step):
                        context = bind(step, fact)
                        if context is not None:
                            found.append((order, context, rows_of(fact)))
                            bound.append((context, fact))
                    self.candidates[step] = tuple(sorted(found, key=lambda c: c[0]))
                    self.members[step] = members_name(bound)
        # the arguments of each right-hand side that the project binds (rules/memo.py)
        self.keyed = {
            rule: tuple(
                name
                for name in rule.arguments
                if any(
                    isinstance(s, Pattern) and s.per_profile and name in s.names for s in rule.steps
                )
            )
            for rule in self.rules
        }
        # activation key -> [findings, the row each is about (None for a hard criterion), made
        # when first needed]
        self.memo: dict[Any, list[Any]] = {}
        self.memo_size = 0
        self.seen: set[Any] = set()  # keys fired once: their findings are kept if they return
        self.plains: dict[int, Any] = {}  # id of a kept finding -> its plain form (None: not yet)
        # simple rule, fields its project pattern reads -> [the pattern's bindings, per candidate:
        # its activation if it passed the TESTs, else False (None: not run yet), once all are
        # known the activations that passed], all pure functions of those fields' values
        self.passing: dict[Any, list[Any]] = {}
        self.reads = {
            rule.simple[0]: fields_read(rule.simple[0].checks)
            for rule in self.rules
            if rule.simple is not None
        }

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
        found: list[tuple[Any, CompiledRule, Any, Any]] = []
        keys: dict[Any, Any] = {}  # fields a project pattern reads -> their values' key (memo)
        for rule in self.rules if rules is None else rules:
            if rule.simple is not None and len(profile_facts) == 1:  # orders come sorted
                found += self._join_simple(rule, profile_facts[0], skip, keys)
                continue
            for orders, context, rows in self._join(rule, profile_facts, skip):
                key = (rule.salience, tuple(sorted(orders, reverse=True)))
                found.append((key, rule, context, rows))
        found.sort(key=lambda item: item[0], reverse=True)
        return found

    def _join(
        self, rule: CompiledRule, profile_facts: list[Fact], skip: Any = None
    ) -> list[tuple[list, dict, Any]]:  # type: ignore[type-arg]
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
                    joined.append(([*orders, order], merged, joined_rows(rows, more)))
            partial = joined
        if skip:
            return [token for token in partial if not (token[2] and token[2] <= skip)]
        return partial

    def _join_simple(
        self, rule: CompiledRule, fact: Fact, skip: Any, keys: dict[Any, Any]
    ) -> list[tuple[Any, CompiledRule, Any, Any]]:
        """The activations of a rule of the common shape: the project, TESTs, one catalogue
        pattern that shares no variable with it, TESTs (the same steps as `_join`, without the
        general join's bookkeeping), as `activations` lists them. `keys` holds, for this
        project, the key of the fields each project pattern reads, made once per field set."""
        first, before, pattern, after = rule.simple  # type: ignore[misc]
        if type(fact) is not first.fact_type:
            return []
        fields = self.reads[first]
        if fields is None:
            key = None
        elif fields in keys:
            key = keys[fields]
        else:
            key = keys[fields] = read(fact, fields)
        kept = None if key is None else self.passing.get((rule, key))
        if kept is None:
            context = bind(first, fact)
            if context is None or not all(test(context) for test in before):
                kept = [None, _FAILED, ()]
            else:  # which candidates pass the TESTs after the pattern: found out as met
                kept = [context, [None] * len(self.candidates[pattern]), None]
            if key is not None:
                if len(self.passing) >= MEMO_JOINS:
                    self.passing.clear()
                self.passing[rule, key] = kept
        context, verdicts, passing = kept
        if passing is not None:  # every candidate's verdict is known: the activations that pass
            if skip:
                return [entry for entry in passing if not (entry[3] and entry[3] <= skip)]
            return passing  # type: ignore[no-any-return]
        out = []
        salience, order = rule.salience, self.size + 1
        for i, (other, bindings, rows) in enumerate(self.candidates[pattern]):
            if skip and rows and rows <= skip:
                continue
            entry = verdicts[i]
            if entry is None:
                merged = {**context, **bindings}
                passed = all(test(merged) for test in after)
                entry = verdicts[i] = (
                    ((salience, (order, other)), rule, merged, rows) if passed else False
                )
            if entry:
                out.append(entry)
        if key is not None and None not in verdicts:
            # kept as the list `activations` extends its own with: never changed once made
            kept[2] = [entry for entry in verdicts if entry]
        return out

    def run(self, per_profile: Iterable[Fact], *, lean: bool = False) -> list[Any]:
        """The findings the compiled rules declare for these per-profile facts, in firing order.

        `lean`: what an advice needs and no more. The hard rules (salience `HARD` and above)
        fire first, as on experta's agenda; then a softer rule's activation is left out, before
        its TESTs run, when every catalogue row it stands for (`rows_of`) is already excluded by
        a hard criterion, and the findings about excluded rows are dropped but their hard
        criteria. An advice reads nothing else of an excluded row; tests/rules/test_compiled.py
        proves the advice byte-identical both ways on golden and random profiles.
        """
        collector = _Collector()
        facts = list(per_profile)
        single = len(facts) == 1
        if not lean:
            return self._plain(self._fire(self.activations(facts), collector, single))
        hard = [rule for rule in self.rules if rule.salience >= HARD]
        soft = [rule for rule in self.rules if rule.salience < HARD]
        self._fire(self.activations(facts, hard), collector, single)  # all of them fire first
        excluded = {
            (f["about"], f["instrument"])
            for f in collector.findings
            if isinstance(f, Criterion) and f["hard"]
        }
        self._fire(self.activations(facts, soft, skip=excluded), collector, single, excluded)
        return self._plain(collector.findings, excluded)

    def _plain(self, findings: list[Any], excluded: Any = None) -> list[Any]:
        """The findings as `plain` makes them; a kept finding (the same object every time its
        activation comes back) is made plain once. With `excluded`, only the hard criteria of
        the excluded rows are left of the findings about them."""
        if excluded:
            findings = [
                f
                for f in findings
                if (isinstance(f, Criterion) and f["hard"])
                or (f["about"], f["instrument"]) not in excluded
            ]
        plain, plains = self.plain, self.plains
        if plain is None:
            return findings

        def make(finding: Any) -> Any:
            made = plain(finding)
            if id(finding) in plains:  # kept, not made plain yet
                plains[id(finding)] = made
            return made

        made = plains.get  # a kept finding lives as long as its entry there
        return [made(id(f)) or make(f) for f in findings]

    def _fire(
        self,
        activations: list[tuple[Any, CompiledRule, Any, Any]],
        collector: Any,
        single: bool,
        excluded: Any = None,
    ) -> list[Any]:
        """Fire the activations in order. An activation whose key (rules/memo.py) was fired
        before adds that firing's findings again instead of calling its right-hand side.
        With one per-profile fact, a simple rule's arguments from the project are the same in
        all its activations, so their key is made once. With `excluded` (a lean run's soft rules)
        a simple rule's firing that is not kept gets only the ids not excluded (docs/engine.md)."""
        memo, seen, size, findings = self.memo, self.seen, self.size, collector.findings
        project_keys: dict[CompiledRule, Any] = {}
        for (_, orders), rule, context, rows in activations:
            simple = single and rule.simple is not None  # orders: [the project, one catalogue fact]
            if simple and rule in project_keys:
                key = project_keys[rule]
            else:
                key = typed(tuple(context[name] for name in self.keyed[rule]))
                if simple:
                    project_keys[rule] = key
            if key is not None:
                key = (rule, (orders[1],) if simple else tuple(o for o in orders if o <= size), key)
                hit = memo.get(key)
                if hit is not None:  # findings `declare` accepted when they were first made
                    found, about = hit
                    if not excluded:
                        findings += found
                        continue
                    if about is None:  # the rows, made when a lean run's soft phase needs them
                        about = hit[1] = tuple(map(finding_row, found))
                    findings += [  # less what `run` would drop of them: it keeps none of these
                        f for f, row in zip(found, about, strict=True) if row not in excluded
                    ]
                    continue
                if key not in seen:  # kept the second time it comes: most keys never return
                    if len(seen) >= MEMO_SEEN:
                        seen.clear()
                    seen.add(key)
                    key = None
                start = len(findings)
            if key is None and excluded and simple and rows and not rows.isdisjoint(excluded):
                name = self.members[rule.simple[2]]  # type: ignore[index]
                if name in rule.arguments:  # a firing not kept: no ids of excluded rows
                    context = {**context, name: not_excluded(context[name], rows, excluded)}
            collector.rule = rule.name
            rule.action(collector, **{name: context[name] for name in rule.arguments})
            if key is not None:
                found = tuple(findings[start:])
                memo[key] = [found, None]
                self.memo_size += len(found) + 1
                if self.memo_size > MEMO_FINDINGS:
                    memo.clear()
                    self.plains.clear()
                    self.memo_size = 0
                else:
                    for finding in found:
                        self.plains[id(finding)] = None
        return findings  # type: ignore[no-any-return]
