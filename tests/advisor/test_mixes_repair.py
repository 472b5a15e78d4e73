"""The repair after the solver (advisor/mixes_limits.py `_to_cents`): whatever the solver's
tolerance, the limits hold to the cent. Each case gives the shares a solver might return for a
cost of 1,000.00 and the amounts, worked out by hand, that the repair keeps.
"""

import numpy as np

from advisor.mixes import Usable, _to_cents
from advisor.models import Option
from tests.advisor.mix_builders import record


def usable(iid: str, kind: str, upper: int, cap: int, *, min_ticket: int = 0,
           eu_grant: bool = False, debt: bool = False) -> Usable:  # fmt: skip
    rec = record(iid, kind)
    option = Option.model_validate(
        {"instrument_id": iid, "name": iid, "name_zh": iid, "kind": kind, "jurisdiction": "GLOBAL",
         "rank": 1, "score": 1.0, "status": "active", "reasons": []}
    )  # fmt: skip
    return Usable(option, rec, {"investment": upper}, cap, min_ticket, eu_grant, debt)


BASE = {"investment": 100_000, "development": 0}  # 1,000.00 in cents


def repaired(shares: list[float], parts: list[Usable], debt_cap: int | None = None) -> dict:  # type: ignore[type-arg]
    x_at = {(i, "investment"): i for i in range(len(parts))}
    out = _to_cents(np.array(shares), x_at, set(range(len(parts))), parts, BASE, debt_cap)
    return {parts[i].record.id: v for (i, _), v in out.items()}


def test_repair_keeps_only_the_larger_of_two_eu_grants_on_one_line() -> None:
    parts = [
        usable("small", "grant", 50_000, 50_000, eu_grant=True),
        usable("large", "grant", 60_000, 60_000, eu_grant=True),
    ]
    assert repaired([0.3, 0.6], parts) == {"large": 60_000}


def test_repair_cuts_to_the_cap_to_the_cent() -> None:
    parts = [usable("capped", "loan", 60_000, 50_000)]
    assert repaired([0.55], parts) == {"capped": 50_000}
    assert repaired([0.50001], parts) == {"capped": 50_000}  # one cent over
    assert repaired([0.4], parts) == {"capped": 40_000}


def test_repair_drops_an_amount_below_the_minimum_ticket() -> None:
    parts = [usable("min", "loan", 60_000, 60_000, min_ticket=40_000)]
    assert repaired([0.3], parts) == {}
    assert repaired([0.00001], parts) == {}  # one cent
    assert repaired([0.45], parts) == {"min": 45_000}


def test_repair_never_funds_more_than_the_cost_cutting_the_smallest_first() -> None:
    parts = [usable("a", "loan", 70_000, 70_000), usable("b", "bond", 40_000, 40_000)]
    assert repaired([0.7, 0.4], parts) == {"a": 70_000, "b": 30_000}
    assert repaired([0.7, 0.30001], parts) == {"a": 70_000, "b": 30_000}  # one cent over


def test_repair_holds_borrowed_money_to_the_project_capital_cap() -> None:
    parts = [
        usable("big", "loan", 50_000, 50_000, debt=True),
        usable("small", "loan", 30_000, 30_000, min_ticket=15_000, debt=True),
        usable("grant", "grant", 20_000, 20_000),
    ]
    # 80,000 of debt against a cap of 60,000: the smaller loan is cut to 10,000, below its
    # minimum ticket of 15,000, so it goes; the grant is not debt
    assert repaired([0.5, 0.3, 0.2], parts, debt_cap=60_000) == {"big": 50_000, "grant": 20_000}
    assert repaired([0.5, 0.3, 0.2], parts, debt_cap=75_000) == {
        "big": 50_000, "small": 25_000, "grant": 20_000,
    }  # fmt: skip


def test_repair_keeps_a_loan_cut_to_exactly_its_minimum_ticket() -> None:
    """80,000 of debt against a cap of 65,000: the smaller loan is cut to 15,000, which is its
    minimum ticket, so it stays."""
    parts = [
        usable("big", "loan", 50_000, 50_000, debt=True),
        usable("small", "loan", 30_000, 30_000, min_ticket=15_000, debt=True),
        usable("grant", "grant", 20_000, 20_000),
    ]
    assert repaired([0.5, 0.3, 0.2], parts, debt_cap=65_000) == {
        "big": 50_000, "small": 15_000, "grant": 20_000,
    }  # fmt: skip
