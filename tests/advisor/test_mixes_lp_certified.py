"""The quick proof of the mixed-integer step's choice (advisor/mixes_lp.py `_certified`): where it
answers, it gives the very choice HiGHS's own search gives, on random programmes built like those
of the shipped catalogue (EU grants, minimum tickets, forbidden pairs, project capital, options
of equal weight), and it does answer for many of them and leave the others to HiGHS.
"""

import random
from types import SimpleNamespace
from typing import Any

import pytest

from advisor import mixes_lp

M = 100  # cents per unit of currency


def random_programme(rng: random.Random) -> tuple[list[float], list[Any], dict[str, int], Any]:
    """Weights, short list, cost base and debt cap of one random programme."""
    n = rng.randint(2, 10)
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
    debt_cap = rng.choice([None, None, int(base["investment"] * rng.choice([0.2, 0.6]))])
    return weights, usable, base, debt_cap


def test_the_proven_choice_is_highs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(2026)
    programmes = [random_programme(rng) for _ in range(400)]
    proven = []
    real = mixes_lp._certified

    def recording(*args: Any) -> Any:
        found = real(*args)
        proven.append(found is not None)
        return found

    monkeypatch.setattr(mixes_lp, "_certified", recording)
    quick = [mixes_lp._choose(*p) for p in programmes]
    monkeypatch.setattr(mixes_lp, "_certified", lambda *args: None)
    searched = [mixes_lp._choose(*p) for p in programmes]
    assert quick == searched
    assert 0.3 * len(programmes) < sum(proven) < len(programmes)  # both ways are taken


@pytest.mark.parametrize("at", [1623, 1691, 1772])
def test_a_choice_within_the_gap_is_left_to_highs(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """Programmes where another choice comes within HiGHS's gap of the best one, and HiGHS
    returns that other choice: proving on the optimum alone (no gap) would get them wrong."""
    rng = random.Random(2)
    programme = [random_programme(rng) for _ in range(at + 1)][at]
    quick = mixes_lp._choose(*programme)
    monkeypatch.setattr(mixes_lp, "MIP_GAP", 0.0)
    monkeypatch.setattr(mixes_lp, "CERTIFY_SLACK", 0.0)
    without_gap = mixes_lp._choose(*programme)
    monkeypatch.setattr(mixes_lp, "_certified", lambda *args: None)
    assert quick == mixes_lp._choose(*programme) != without_gap
