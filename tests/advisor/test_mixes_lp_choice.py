"""The mixed-integer step's choice of components (advisor/mixes_lp.py `_choose`) is an optimal
one: on random programmes built like those of the shipped catalogue (EU grants, minimum tickets,
forbidden pairs, project capital, options of equal weight), no other choice of options and of
the EU grant that holds each cost line is worth more. The oracle here tries every choice: each
set of at most MAX_COMPONENTS options without a forbidden pair, and on each cost line funded by
two or more EU grants of the set, each one of them as the line's one grant (A21). For one
choice the programme is a linear one, solved on its own model written from the constraints
listed in the module's docstring, not from `_choose`'s.
"""

import itertools
import random
from types import SimpleNamespace
from typing import Any

import highspy
import numpy as np
import pytest

from advisor import mixes_lp

M = 100  # cents per unit of currency
# a choice worth less than the best by more than this (relative) is not an optimal one; HiGHS's
# feasibility tolerances move an objective of these programmes by less than 1e-9, and its
# default gap, which the choice used to keep, by up to 1e-4
WORSE = 1e-7


def random_programme(
    rng: random.Random, most: int = 10
) -> tuple[list[float], list[Any], dict[str, int], Any]:
    """Weights, short list, cost base and debt cap of one random programme."""
    n = rng.randint(2, most)
    development = rng.choice([0, 0, rng.randint(1, 50) * 100_000 * M])
    base = {"investment": rng.randint(1, 500) * 1_000_000 * M, "development": development}
    total = sum(base.values())
    lines = [c for c in base if base[c]]
    usable = []
    for i in range(n):
        covers = rng.sample(lines, rng.randint(1, len(lines)))
        upper = {c: int(base[c] * rng.choice([0.3, 0.5, 0.7, 0.85, 1.0])) for c in covers}
        cap = min(sum(upper.values()), int(total * rng.choice([0.1, 0.25, 0.5, 1.0])))
        others = [f"o{j}" for j in range(n) if j != i and rng.random() < 0.1]
        usable.append(
            SimpleNamespace(
                record=SimpleNamespace(id=f"o{i}", not_combinable_with=others),
                upper=upper,
                cap=cap,
                min_ticket=rng.choice([0, 0, 0, int(cap * rng.choice([0.2, 0.5, 0.9]))]),
                eu_grant=rng.random() < 0.4,
                debt=rng.random() < 0.3,
            )
        )
    scores = [round(rng.uniform(1, 10), 3) for _ in range(3)]  # few: options of equal weight
    weights = [rng.choice(scores) - 0.01 * i * rng.choice([0, 1]) for i in range(n)]
    total = sum(base.values())  # project capital is a share of the total investment
    debt_cap = rng.choice([None, None, int(total * rng.choice([0.2, 0.6]))])
    return weights, usable, base, debt_cap


def value_of(
    chosen: set[int], closed: set[tuple[int, str]], weights: list[float], usable: list[Any],
    base: dict[str, int], debt_cap: int | None,
) -> float | None:  # fmt: skip
    """The most one choice is worth (the options `chosen`, each EU grant kept off the cost lines
    in `closed`): sum of weight x share of cost over its money, less the penalty per option;
    None when no amounts meet the constraints."""
    total = float(sum(base.values()))
    pairs = [(i, c) for i in sorted(chosen) for c in usable[i].upper if (i, c) not in closed]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    for k, (i, c) in enumerate(pairs):
        h.addVar(0.0, usable[i].upper[c] / total)
        h.changeColCost(k, -weights[i])

    def row(columns: list[int], lower: float, upper: float) -> None:
        if columns:
            h.addRow(lower, upper, len(columns), np.array(columns, dtype=np.int32),
                     np.ones(len(columns)))  # fmt: skip
        elif lower > 0:
            raise ValueError("infeasible")

    try:
        for i in chosen:
            own = [k for k, (j, _) in enumerate(pairs) if j == i]
            row(own, usable[i].min_ticket / total if usable[i].min_ticket else -inf,
                usable[i].cap / total)  # fmt: skip
        for cost in base:
            row([k for k, (_, c) in enumerate(pairs) if c == cost], -inf, base[cost] / total)
        if debt_cap is not None:
            debt = [k for k, (i, _) in enumerate(pairs) if usable[i].debt]  # every cost line
            row(debt, -inf, debt_cap / total)
    except ValueError:
        return None
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return -h.getInfo().objective_function_value - mixes_lp.COMPONENT_PENALTY * len(chosen)


def best_value(
    weights: list[float], usable: list[Any], base: dict[str, int], debt_cap: int | None
) -> float | None:
    """The most any choice is worth (None when none is feasible), by trying every one."""
    n = len(usable)
    ids = {u.record.id: i for i, u in enumerate(usable)}
    forbidden = {
        frozenset((i, ids[o])) for i, u in enumerate(usable) for o in u.record.not_combinable_with
    }
    best = None
    for size in range(1, mixes_lp.MAX_COMPONENTS + 1):
        for chosen in itertools.combinations(range(n), size):
            if any(frozenset(p) in forbidden for p in itertools.combinations(chosen, 2)):
                continue
            lines = []  # per cost line with two or more EU grants: who may hold it
            for cost in base:
                eu = [i for i in chosen if usable[i].eu_grant and cost in usable[i].upper]
                if len(eu) > 1:
                    lines.append([{(j, cost) for j in eu if j != holder} for holder in eu])
            for closing in itertools.product(*lines):
                closed = set().union(*closing)
                found = value_of(set(chosen), closed, weights, usable, base, debt_cap)
                if found is not None and (best is None or found > best):
                    best = found
    return best


def assert_optimal(
    weights: list[float], usable: list[Any], base: dict[str, int], debt_cap: Any
) -> None:
    best = best_value(weights, usable, base, debt_cap)
    choice = mixes_lp._choose(weights, usable, base, debt_cap)
    if best is None:
        assert choice is None
        return
    assert choice is not None
    used, closed = choice
    got = value_of(used, closed, weights, usable, base, debt_cap)
    assert got is not None
    assert got >= best - WORSE * max(1.0, abs(best)), (got, best)


@pytest.mark.parametrize("seed", range(3))
def test_the_choice_is_an_optimal_one(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        assert_optimal(*random_programme(rng, most=7))


@pytest.mark.parametrize("at", [1623, 1691, 1772])
def test_a_choice_within_the_gap_is_not_taken_for_the_best(at: int) -> None:
    """Programmes where another choice comes within HiGHS's default gap (0.01%) of the best one,
    and HiGHS's default search returns that other choice: the step must return the best."""
    rng = random.Random(2)
    assert_optimal(*[random_programme(rng) for _ in range(at + 1)][at])


def test_an_exact_search_out_of_time_leaves_the_choice_to_highs_default_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no time for the exact search, HiGHS's default search chooses: a choice within its gap
    of the best (relative 1e-4, as HiGHS stops), and none where no mix is feasible."""
    out_of_time = highspy.Highs()
    out_of_time.setOptionValue("output_flag", False)
    out_of_time.setOptionValue("time_limit", 0.0)
    monkeypatch.setattr(mixes_lp, "_exact_mip", lambda: out_of_time)
    rng = random.Random(11)
    chosen = 0
    for _ in range(30):
        weights, usable, base, debt_cap = random_programme(rng, most=6)
        best = best_value(weights, usable, base, debt_cap)
        choice = mixes_lp._choose(weights, usable, base, debt_cap)
        assert out_of_time.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
        if best is None:
            assert choice is None
            continue
        assert choice is not None
        got = value_of(*choice, weights, usable, base, debt_cap)
        assert got is not None and got >= best - 1e-4 * max(1.0, abs(best)) - 1e-6
        chosen += 1
    assert chosen > 20


def test_the_same_programme_gives_the_same_choice_after_any_other() -> None:
    """Each solve starts afresh: a programme's choice does not depend on what came before."""
    rng = random.Random(7)
    programmes = [random_programme(rng) for _ in range(40)]
    alone = [mixes_lp._choose(*p) for p in programmes]
    assert [mixes_lp._choose(*p) for p in reversed(programmes)] == alone[::-1]


def test_an_eu_grant_the_choice_keeps_off_a_cost_line_stays_off_it() -> None:
    """Two EU grants may both fund the investment, and one of them also the development line: the
    better-weighted one takes the investment line, the other only the development line, and the
    amounts, settled after the choice, put no second EU grant on the investment line (A21), although
    moving the loan's money there would be worth more."""
    inv, dev = 100_000_000 * M, 10_000_000 * M
    half = inv // 2
    a = SimpleNamespace(record=SimpleNamespace(id="a", not_combinable_with=[]),
                        upper={"investment": half}, cap=half, min_ticket=0, eu_grant=True,
                        debt=False)  # fmt: skip
    b = SimpleNamespace(record=SimpleNamespace(id="b", not_combinable_with=[]),
                        upper={"investment": half, "development": dev}, cap=half + dev,
                        min_ticket=0, eu_grant=True, debt=False)  # fmt: skip
    loan = SimpleNamespace(record=SimpleNamespace(id="loan", not_combinable_with=[]),
                           upper={"investment": inv}, cap=inv, min_ticket=0, eu_grant=False,
                           debt=True)  # fmt: skip
    programme = mixes_lp.Programme()
    programme.load([a, b, loan], {"investment": inv, "development": dev}, None)
    assert programme.solve([10.0, 9.0, 1.0]) == {
        (0, "investment"): half,
        (1, "development"): dev,
        (2, "investment"): inv - half,
    }
