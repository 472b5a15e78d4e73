"""Catalogue facts as experta's fact list holds them, indexed for building a revision's candidates,
and the catalogue rows each stands for (rules/matcher.py)."""

from typing import Any

from rules._experta import Fact
from rules.facts import Criterion, Group

ABOUT = {"instrument": "instrument", "model": "business_model"}  # Group `of` -> finding `about`


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


def joined_rows(rows: Any, more: Any) -> Any:
    """The rows a partial activation stands for: None before any catalogue fact, False once a
    fact without rows joined (never skipped), else the union."""
    if rows is False or more is False:
        return False
    if more is None:
        return rows
    return more if rows is None else rows | more


def members_name(matched: list[tuple[dict[str, Any], Fact]]) -> str | None:
    """The one name a pattern binds to the members (a Group's ids, the very tuple `rows_of`
    reads) of every fact with rows it matched, given (bindings, fact) for each; else None."""
    common: set[str] | None = None
    for context, fact in matched:
        if isinstance(rows_of(fact), frozenset) and fact["members"]:
            names = {name for name, value in context.items() if value is fact["members"]}
            common = names if common is None else common & names
    return next(iter(common)) if common and len(common) == 1 else None


def not_excluded(ids: tuple[str, ...], rows: frozenset[Any], excluded: Any) -> tuple[str, ...]:
    """The members `ids` of a group whose rows are `rows` that no hard criterion excluded, in
    their order."""
    about = next(iter(rows))[0]  # a group's rows share their `about`
    return tuple(member for member in ids if (about, member) not in excluded)


def rows_of(fact: Fact) -> frozenset[tuple[str, str]] | bool:
    """The catalogue rows a fact stands for, as (about, id) the findings name: a Group's members.
    Any other fact: False (its rows are unknown, so a lean run never skips it)."""
    if isinstance(fact, Group):
        about = ABOUT.get(fact.get("of"))
        if about is not None:
            return frozenset((about, member) for member in fact.get("members", ()))
    return False


def finding_row(finding: Any) -> tuple[Any, Any] | None:
    """The row a kept finding is about, as a lean run tests it against the excluded rows
    (`Matcher.run`); None for a hard criterion, which a lean run keeps whatever its row."""
    if isinstance(finding, Criterion) and finding["hard"]:
        return None
    return (finding.get("about"), finding.get("instrument"))
