"""Reach: whether an instrument exists for a country on a date (docs/eligibility.md, section 1).

A dated window of the record's `reach` decides first: a funded window that covers the country on
the date makes it reachable (an association agreement, a member state before it left, a lending
mandate); an unfunded one makes it unreachable (entities take part at their own cost). Without
a window, the record's eligible countries decide, and an empty list is a sourced "anywhere".
"""

from datetime import date
from typing import Any

Window = tuple[tuple[str, ...], date | None, date | None, bool]


def _covers(window: Window, country: str, on: date) -> bool:
    countries, start, end, _ = window
    return country in countries and (start is None or on >= start) and (end is None or on <= end)


def reachable(country: str, on: date, reach: tuple[Any, ...]) -> bool:
    countries, windows = reach
    covering = [w for w in windows if _covers(w, country, on)]
    if any(w[3] for w in covering):
        return True
    if covering:
        return False
    return not countries or country in countries


def unfunded(country: str, on: date, reach: tuple[Any, ...]) -> bool:
    """The country may take part on `on` but is not funded (an unfunded window covers it)."""
    covering = [w for w in reach[1] if _covers(w, country, on)]
    return bool(covering) and not any(w[3] for w in covering)
