"""The compiled runner's order of findings (advisor/engine.py `in_order`) is `_order`'s, stably."""

import random

from advisor.engine import Finding, _order, in_order

PLAIN = ["", "a", "a b", "ab", "aa", "é", "€ 5", "A", "a\x01", "b"]  # prefixes, non-Latin-1
WITH_NUL = [*PLAIN, "a\0", "a\0b", "\0"]


def _findings(rng: random.Random, size: int, texts: list[str]) -> list[Finding]:
    pick = lambda: rng.choice(texts)  # noqa: E731
    return [
        Finding(
            kind=pick(),
            instrument=pick(),
            rule=pick(),
            source=str(n),  # not in the key: findings with equal keys stay told apart
            text=pick(),
            value=rng.choice([None, *texts]),
            about=pick(),
        )
        for n in range(size)
    ]


def test_in_order_is_the_stable_sort_by_order() -> None:
    rng = random.Random(5)
    for size in (0, 1, 2, 30, 300, 3000):
        for texts in (PLAIN, WITH_NUL):
            findings = _findings(rng, size, texts)
            assert in_order(findings) == sorted(findings, key=_order), (size, texts)


def test_a_field_that_is_not_a_str_sorts_by_the_tuple() -> None:
    findings = [Finding("score", "b", "r", "s", value=None), Finding("score", "a", "r", "s")]
    odd = Finding("score", "c", "r", "s")._replace(value=3)
    assert in_order([*findings, odd]) == sorted([*findings, odd], key=_order)
