"""The key under which a compiled right-hand side's findings are kept (rules/matcher.py).

A compiled right-hand side only declares findings (rules/compiled.py refuses anything else), and
the rule packs build those findings from its arguments alone: the same arguments give the same
findings. Its arguments are the values the project's pattern binds and values from the catalogue
facts of the activation, which one revision's `Matcher` identifies by their declaration order.
So `Matcher` keeps each activation's findings under (rule, the orders of its catalogue facts,
`typed` values of the arguments the project binds) and declares them again when that key comes
back, without calling the right-hand side.

`typed` makes the values' equality exact for the findings' text: 1, 1.0 and True are equal in
Python but print differently, and so do 0.0 and -0.0; so the key holds each value's exact type,
floats by their repr, and tuples and mappings item by item. A value of any other type gives
None: that activation is not kept and its right-hand side runs every time.

A simple rule's project pattern is bound once per key too: `fields_read` names the fields its
checks read (experta's FeatureCheck reads `fact[a]` for `what` "a" or "a__b"), and `read` gives
their values as a key, a field the fact lacks apart from one it holds as None.
"""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from rules._experta import Internals

_EXACT = frozenset({str, int, bool, type(None), date, datetime})


class _Unkeyable(Exception):
    pass


def _key(value: Any) -> Any:
    kind = type(value)
    if kind in _EXACT:
        return (kind, value)
    if kind is float:
        return (kind, repr(value))
    if isinstance(value, tuple):
        return (kind, tuple(_key(item) for item in value))
    if isinstance(value, Mapping):
        return (kind, tuple((_key(k), _key(v)) for k, v in value.items()))
    raise _Unkeyable


def typed(values: tuple[Any, ...]) -> Any:
    """A key equal for two tuples of values only when each pair has the same type and value
    (floats by their repr, so 0.0 and -0.0 differ); None when one cannot be keyed."""
    out = []
    for value in values:
        kind = type(value)
        if kind in _EXACT:
            out.append((kind, value))
            continue
        try:
            out.append(_key(value))
        except _Unkeyable:
            return None
    return tuple(out)


def fields_read(checks: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The fields of a fact that these FeatureChecks read; None when one reads the whole fact
    (a `what` starting or ending with ``__``) or is not a FeatureCheck."""
    fields: dict[Any, None] = {}
    for check in checks:
        if not isinstance(check, Internals.FeatureCheck):
            return None
        what = check.what
        if isinstance(what, str):
            if what.startswith("__") or what.endswith("__"):
                return None
            head = what.split("__")[0]
            fields[int(head) if head.isnumeric() else head] = None
        else:
            fields[what] = None
    return tuple(fields)


def read(fact: Any, fields: tuple[Any, ...]) -> Any:
    """`typed` key of these fields' values in `fact` (a missing one keyed apart), or None."""
    values = []
    for field in fields:
        try:
            values.append((True, fact[field]))
        except (IndexError, KeyError, TypeError):
            values.append((False,))
    return typed(tuple(values))
