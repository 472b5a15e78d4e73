"""Helpers the rule packs share to write criterion, score and caution facts.

Every rule method carries a `source` (set by `sourced`): either a fixed reference, or
`CATALOGUE_FIELD` for generic rules, whose threshold and citation come from the catalogue row
they tested (the row's source for that field).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from rules._experta import MATCH, P
from rules.facts import Caution, Criterion, Group, Score

F = TypeVar("F", bound=Callable[..., Any])

CATALOGUE_FIELD = "catalogue: the tested instrument's source for the field"


def sourced(source: str) -> Callable[[F], F]:
    """Attach the rule's source; tests require one on every rule."""

    def mark(func: F) -> F:
        func.source = source  # type: ignore[attr-defined]
        return func

    return mark


def cite(citations: Any, field: str) -> str:
    """The instrument's citation for `field`, else its first source."""
    return str(citations.get(field) or citations.get("*") or "catalogue")


def cite_values(citations: Any, field: str, values: Any) -> dict[str, str]:
    """Per value of a list field, the citation of the source backing that very value (a source
    whose `supports` names `field=value`), else the field's citation."""
    fallback = cite(citations, field)
    return {str(v): str(citations.get(f"{field}={v}") or fallback) for v in values}


def holds(predicate: Callable[[Any], Any]) -> Any:
    """An alpha constraint on a group's value. Constraints on one field are checked before the
    pattern's other fields, so they meet every attribute's values: a predicate that does not
    apply to a value (wrong type or shape) simply does not hold."""

    def check(value: Any) -> bool:
        try:
            return bool(predicate(value))
        except (TypeError, IndexError, KeyError, AttributeError):
            return False

    return P(check)


def group(attribute: str, value: Any, *, of: str = "instrument", extra: bool = False) -> Group:
    """A pattern for the group of `of` rows sharing `attribute`; binds ids, c(ites), soft.

    A rule on a group declares, for each id, findings about that member alone: a lean run may
    pass it only the ids no hard criterion excluded (docs/engine.md, "Lean runs")."""
    fields: dict[str, Any] = {
        "of": of,
        "attribute": attribute,
        "value": value,
        "members": MATCH.ids,
        "cites": MATCH.c,
        "soft": MATCH.soft,
    }
    if extra:
        fields["extra"] = MATCH.extra
    return Group(**fields)


def split_codes(value: Any) -> set[str]:
    """Codes from a comma-separated catalogue param ("CN, VN" -> {"CN", "VN"})."""
    return {part.strip() for part in str(value or "").split(",") if part.strip()}


def eur(amount: float | None) -> str:
    if amount is None:
        return "n/a"
    if amount >= 1e9:
        return f"EUR {amount / 1e9:.2f}bn"
    if amount >= 1e6:
        return f"EUR {amount / 1e6:.1f}m"
    if amount >= 1e3:
        return f"EUR {amount / 1e3:.0f}k"
    return f"EUR {amount:.0f}"


def listed(values: Any) -> str:
    return ", ".join(map(str, values)) if values else "any"


def fail(
    instrument: str,
    rule: str,
    *,
    test: str,
    value: Any,
    threshold: Any,
    source: str,
    hard: bool = True,
    fixable: bool = False,
    hint: str | None = None,
    about: str = "instrument",
) -> Criterion:
    """A failed criterion: an exclusion when hard, a caution when the tested value is soft."""
    return Criterion(
        instrument=instrument,
        rule=rule,
        test=test,
        value=str(value),
        threshold=str(threshold),
        source=source,
        passed=False,
        hard=hard,
        fixable=fixable,
        hint=hint,
        about=about,
    )


def score(
    instrument: str, rule: str, points: float, text: str, source: str, about: str = "instrument"
) -> Score:
    return Score(
        instrument=instrument, rule=rule, points=points, text=text, source=source, about=about
    )


def caution(
    instrument: str, rule: str, text: str, source: str, about: str = "instrument"
) -> Caution:
    return Caution(instrument=instrument, rule=rule, text=text, source=source, about=about)
