"""Catalogue facts as experta's fact list holds them, indexed for building a revision's candidates
(rules/matcher.py)."""

from typing import Any

from rules._experta import Fact


def fact_key(fact: Fact) -> frozenset[Any]:
    """Identity of a fact in experta's fact list (FactList._get_fact_id)."""
    return frozenset([fact.__class__] + [(k, v) for k, v in fact.items() if not fact.is_special(k)])


class CatalogueIndex:
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

    def maybe(self, pattern: Any) -> list[tuple[int, Fact]]:  # a matcher Pattern
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
