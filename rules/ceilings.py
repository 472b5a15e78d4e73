"""How much of a project an instrument can fund: its ceiling, from catalogue data only.

Order of caps (instrument_facts.md A19): the instrument's co-financing rate on the eligible cost
of each cost type it covers, then its share-of-total cap, then its absolute maximum ticket.
Pure functions over plain values, shared by the scoring pack and the mix composer.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Grants always carry a co-financing ceiling (EU funds are "not a one-stop solution",
# 000_3774adf2b4c550fa.txt §3.2.6.1 L1512); where the catalogue records none, the amount is
# unknown rather than the whole cost. Repayable finance without a ceiling can carry it all.
GRANT_KINDS = frozenset({"grant", "technical_assistance"})


@dataclass(frozen=True)
class Ceiling:
    amount: float  # EUR
    by_cost: dict[str, float]  # EUR per cost type covered
    rate_by_cost: dict[str, float]
    basis: str
    known: bool = True  # False: a grant whose ceiling the catalogue does not record


def applicable_rate(
    rates: Iterable[Mapping[str, Any]], *, cost: str, region: str | None, applicant: str
) -> float | None:
    """The co-financing ceiling for one cost type, or None when the catalogue gives none.

    Entries for another region category or applicant do not apply. Where the ceiling depends on
    a region category the profile does not give, the lowest of those ceilings is taken.
    """
    matching = [
        r for r in rates
        if r.get("costs", "investment") == cost
        and (not r.get("applicant") or applicant in r.get("applicant"))
    ]  # fmt: skip
    if not matching:
        return None
    regional = [r for r in matching if r.get("region_category")]
    general = [float(r["rate"]) for r in matching if not r.get("region_category")]
    if regional:
        if region is None:
            return min(float(r["rate"]) for r in regional)
        own = [float(r["rate"]) for r in regional if r.get("region_category") == region]
        if own:
            return max(own)
    return max(general) if general else None


def ceiling(
    *,
    costs: Iterable[str],
    rates: Iterable[Mapping[str, Any]],
    capex: float,
    development: float,
    region: str | None,
    applicant: str,
    max_share: float | None,
    max_ticket: float | None,
    kind: str = "",
) -> Ceiling:
    """The most this instrument can fund of this project, in EUR.

    A delivery tool (such as ITI) bundles other funds and carries no money of its own.
    """
    if kind == "delivery_tool":
        return Ceiling(amount=0.0, by_cost={}, rate_by_cost={}, basis="bundles other funds")
    rates = list(rates)
    amounts = {"investment": capex, "development": development}
    by_cost: dict[str, float] = {}
    rate_by_cost: dict[str, float] = {}
    unknown: list[str] = []
    for cost in costs:
        base = amounts.get(cost, 0.0)
        if base <= 0:
            continue
        rate = applicable_rate(rates, cost=cost, region=region, applicant=applicant)
        if rate is None and kind in GRANT_KINDS:
            unknown.append(cost)
            continue
        rate_by_cost[cost] = 1.0 if rate is None else rate
        by_cost[cost] = base * rate_by_cost[cost]
    amount = sum(by_cost.values())
    basis = ", ".join(f"{rate:.0%} of {cost}" for cost, rate in rate_by_cost.items())
    if unknown:
        basis = ", ".join(filter(None, [basis, f"no ceiling recorded for {', '.join(unknown)}"]))
    basis = basis or "nothing"
    total = capex + development
    if max_share is not None and amount > max_share * total:
        amount = max_share * total
        basis += f"; at most {max_share:.0%} of total cost"
    if max_ticket is not None and amount > max_ticket:
        amount = max_ticket
        basis += "; capped at the maximum ticket"
    if amount < sum(by_cost.values()) and by_cost:
        factor = amount / sum(by_cost.values())
        by_cost = {cost: value * factor for cost, value in by_cost.items()}
    return Ceiling(
        amount=amount, by_cost=by_cost, rate_by_cost=rate_by_cost, basis=basis, known=not unknown
    )
