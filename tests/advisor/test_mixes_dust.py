"""No funding mix carries a component whose money is worth less than the programme's penalty for
using it (advisor/mixes_lp.py, COMPONENT_PENALTY): the mixed-integer programme would drop such a
component, so the relaxed optimum that holds one is not taken as the answer.

The typical case is one cent: two options capped at half of an odd number of cents leave one cent
on the cost line after flooring, and the relaxation hands that cent to a third option.
"""

import random
from types import SimpleNamespace
from typing import Any

import pytest

from advisor import mixes_lp
from tests.advisor.test_mixes_lp_choice import random_programme


def option(name: str, upper: int, cap: int) -> Any:
    return SimpleNamespace(
        record=SimpleNamespace(id=name, not_combinable_with=[]),
        upper={"investment": upper},
        cap=cap,
        min_ticket=0,
        eu_grant=False,
        debt=False,
    )


def solve(weights: list[float], usable: list[Any], base: dict[str, int], debt_cap: Any = None):
    programme = mixes_lp.Programme()
    programme.load(usable, base, debt_cap)
    return programme.solve(weights)


def test_the_cent_that_flooring_leaves_is_a_gap_not_a_third_component() -> None:
    total = 11_618_539_683  # cents: half of it is not a whole cent
    half = total // 2
    usable = [option("a", half, half), option("b", half, half), option("c", total, total)]
    cents = solve([10.05, 10.04, 2.0], usable, {"investment": total, "development": 0})
    assert cents == {(0, "investment"): half, (1, "investment"): half}


def test_a_third_component_with_real_money_in_it_stays() -> None:
    total = 11_618_539_683
    share = total * 2 // 5  # a and b take 80%; c the rest, far more than the penalty is worth
    usable = [option("a", share, share), option("b", share, share), option("c", total, total)]
    cents = solve([10.05, 10.04, 2.0], usable, {"investment": total, "development": 0})
    assert cents == {
        (0, "investment"): share,
        (1, "investment"): share,
        (2, "investment"): total - 2 * share,
    }


@pytest.mark.parametrize("seed", range(4))
def test_every_component_of_a_mix_is_worth_its_penalty(seed: int) -> None:
    """On random programmes whose cost is an odd number of cents, each option a solve uses brings
    more than the penalty for using it (else the programme's optimum would leave it out)."""
    rng = random.Random(seed)
    checked = 0
    for _ in range(150):
        weights, usable, base, debt_cap = random_programme(rng)
        base = {**base, "investment": base["investment"] + rng.choice([1, 3, 7])}
        total = sum(base.values())
        cents = solve(weights, usable, base, debt_cap)
        money: dict[int, int] = {}
        for (i, _), v in cents.items():
            money[i] = money.get(i, 0) + v
        for i, v in money.items():
            assert weights[i] * v / total > mixes_lp.COMPONENT_PENALTY, (seed, i, v, weights)
        checked += len(money)
    assert checked > 150
