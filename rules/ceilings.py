"""How much of a project an instrument can fund: its ceiling, from catalogue data only.

Order of caps (instrument_facts.md A19; docs/eligibility.md section 3): the instrument's
co-financing rate on the eligible cost of each cost type it covers, then its share-of-total cap,
then its maximum ticket (or, where no confirmed maximum exists, its typical ticket). An
unconfirmed rate or cap is still applied: amounts take the conservative bound, and a limit
nobody confirmed is never read as "no limit".

Pure functions over plain values, shared by the rule packs, the advisor and the mix composer.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# Grants always carry a co-financing ceiling (EU funds are "not a one-stop solution",
# 000_3774adf2b4c550fa.txt §3.2.6.1 L1512); where the catalogue records none, the amount is
# unknown rather than the whole cost.
GRANT_KINDS = frozenset({"grant", "technical_assistance"})
# Borrowed money: where a country sets a minimum project capital (China: Guofa [2009] 27,
# [2015] 51, [2019] 26), loans and bonds fund at most the rest of the total investment, which
# is the fixed-asset investment, development costs included, plus working capital (Guofa
# [1996] 35 Part II).
BORROWED_KINDS = frozenset({"loan", "bond", "financial_instrument"})
FUNDED_COSTS = ("investment", "development")


@dataclass(frozen=True)
class Terms:
    """What an instrument's amount depends on, in EUR (built once per catalogue revision)."""

    kind: str
    costs: tuple[str, ...]
    rates: tuple[Mapping[str, Any], ...]
    rates_stated: bool = True  # co_financing confirmed (sourced, or stated not applicable)
    max_share: float | None = None
    share_confirmed: bool = True
    max_ticket: float | None = None
    max_ticket_confirmed: bool = True
    typical_high: float | None = None
    rates_source: str = ""  # the citation of the co-financing rates (the clause they rest on)
    share_source: str = ""  # ... of the share-of-cost cap
    ticket_source: str = ""  # ... of the maximum ticket
    typical_source: str = ""  # ... of the typical ticket


@dataclass(frozen=True)
class Ceiling:
    amount: float  # EUR
    by_cost: dict[str, float]  # EUR per cost type covered
    rate_by_cost: dict[str, float]
    basis: str
    known: bool = True  # False: no confirmed bound for any cost the instrument covers here
    # the limit that sets the amount: rate | capital | share | ticket | typical
    binding: str = "rate"
    capital_source: str = ""  # the clause of the project-capital rule, when it binds

    def source(self, terms: "Terms") -> str:
        """The citation of the limit that sets the amount (the article it rests on)."""
        chosen = {
            "capital": self.capital_source,
            "share": terms.share_source,
            "ticket": terms.ticket_source,
            "typical": terms.typical_source,
        }.get(self.binding)
        return chosen or terms.rates_source


# The cohesion-policy programme periods whose region categories rate entries name (`period`):
# each period's categories are set for it (2014-2020: Implementing Decision 2014/99/EU;
# 2021-2027: Implementing Decision (EU) 2021/1130), and a region's category can differ from one
# period to the next. A profile's `region_category` is the category in the period of its date;
# `region_category_2014_2020` is the one in 2014-2020.
PERIOD_2014_2020 = "2014-2020"
_PERIOD_STARTS = ((date(2021, 1, 1), "2021-2027"), (date(2014, 1, 1), PERIOD_2014_2020))


def region_period(on: date | None) -> str | None:
    """The programme period whose region categories a profile dated `on` states."""
    if on is None:
        return None
    return next((period for start, period in _PERIOD_STARTS if on >= start), "2007-2013")


def region_in(
    entry_period: str | None,
    *,
    region: str | None,
    previous_region: str | None,
    period: str | None,
) -> str | None:
    """The project region's category in the programme period of a rate entry, or None when
    the profile does not give it: `region` for the period of the profile's date (or an entry
    that names no period), `previous_region` for 2014-2020. A 2014-2020 rate read in 2022 is a
    2014-2020 category's rate (CPR 1303/2013 Art. 120(3)), not the 2021-2027 category's."""
    if entry_period == PERIOD_2014_2020 and previous_region is not None:
        return previous_region
    if entry_period is None or period is None or entry_period == period:
        return region
    return None


def applicable_rate(
    rates: Iterable[Mapping[str, Any]],
    *,
    cost: str,
    region: str | None,
    applicant: str,
    previous_region: str | None = None,
    period: str | None = None,
) -> float | None:
    """The co-financing ceiling for one cost type, or None when the catalogue gives none.

    Entries for another cost type, region category or applicant do not apply; where some
    entries name the applicant type, only those apply (a profit-making participant's 70% beats
    the general 100%). Where several entries apply and no region category tells them apart, or
    the profile gives none for the entries' programme period (`region_in`), the lowest is taken
    (the conservative bound). With a region category, the entries for it (and those for every
    region) apply and the highest of them is the law's rate: an entry conditioned on the
    region's 2014-2020 category (CPR 2021/1060 Art. 112(3)) applies only when the profile gives
    that category. `period` is `region_period` of the profile's date (None: `region` is taken
    as the category of every entry's period).
    """
    matching = [
        r for r in rates
        if r.get("costs", "investment") == cost
        and (not r.get("applicant") or applicant in r.get("applicant"))
    ]  # fmt: skip
    specific = [r for r in matching if r.get("applicant")]
    if specific:
        matching = specific
    if not matching:
        return None
    regional = [r for r in matching if r.get("region_category")]
    if not regional:
        return min(float(r["rate"]) for r in matching)  # conditions unknown: the lowest
    here = {
        id(r): region_in(
            r.get("period"), region=region, previous_region=previous_region, period=period
        )
        for r in regional
    }
    if None in here.values():  # the category in the entries' period is not given
        return min(float(r["rate"]) for r in matching)
    fits = [
        float(r["rate"])
        for r in matching
        if (not r.get("region_category") or r["region_category"] == here[id(r)])
        and (
            not r.get("previous_region_category")
            or previous_region in r.get("previous_region_category")
        )
    ]
    return max(fits) if fits else None


def _eur(amount: float) -> str:
    if amount >= 1e9:
        return f"EUR {amount / 1e9:.2f}bn"
    if amount >= 1e6:
        return f"EUR {amount / 1e6:.1f}m"
    return f"EUR {amount:,.0f}"


def confirmed_bound(
    terms: Terms,
    *,
    capex: float,
    development: float,
    region: str | None,
    applicant: str,
    previous_region: str | None = None,
    period: str | None = None,
    borrowing: tuple[float, str] | None = None,
) -> float:
    """The most confirmed facts alone allow: an unconfirmed rate or cap left out, an unknown
    grant rate taken as the whole cost, no typical ticket; borrowed money within the project's
    capital rule (`ceiling`). Only a bound below a minimum ticket by this measure excludes;
    below it only through unconfirmed limits, the option is to check.
    """
    if terms.kind == "delivery_tool":
        return 0.0
    amounts = {"investment": capex, "development": development}
    funded = 0.0
    for cost in FUNDED_COSTS:
        if cost not in terms.costs or amounts[cost] <= 0:
            continue
        rate = None
        if terms.rates_stated:
            rate = applicable_rate(
                terms.rates, cost=cost, region=region, applicant=applicant,
                previous_region=previous_region, period=period,
            )  # fmt: skip
        funded += amounts[cost] * (1.0 if rate is None else rate)
    if borrowing is not None and terms.kind in BORROWED_KINDS:
        funded = min(funded, borrowing[0] * (capex + development))
    if terms.max_share is not None and terms.share_confirmed:
        funded = min(funded, terms.max_share * (capex + development))
    if terms.max_ticket is not None and terms.max_ticket_confirmed:
        funded = min(funded, terms.max_ticket)
    return funded


def ceiling(
    terms: Terms,
    *,
    capex: float,
    development: float,
    region: str | None,
    applicant: str,
    previous_region: str | None = None,
    period: str | None = None,
    borrowing: tuple[float, str] | None = None,
) -> Ceiling:
    """The most this instrument can fund of this project, in EUR (the conservative bound).

    A delivery tool (such as ITI) bundles other funds and carries no money of its own.
    `borrowing` is the largest share of the total investment (capex and development cost)
    loans and bonds may fund where the project's country requires project capital, with its
    clause (advisor/capital.py): a borrowed instrument's amount stops there, whatever its own
    terms allow; the sponsor's capital may pay any cost line.
    """
    if terms.kind == "delivery_tool":
        return Ceiling(amount=0.0, by_cost={}, rate_by_cost={}, basis="bundles other funds")
    amounts = {"investment": capex, "development": development}
    by_cost: dict[str, float] = {}
    rate_by_cost: dict[str, float] = {}
    unknown: list[str] = []
    for cost in FUNDED_COSTS:
        base = amounts[cost]
        if cost not in terms.costs or base <= 0:
            continue
        rate = applicable_rate(
            terms.rates, cost=cost, region=region, applicant=applicant,
            previous_region=previous_region, period=period,
        )  # fmt: skip
        if rate is None:
            if terms.kind in GRANT_KINDS or not terms.rates_stated:
                unknown.append(cost)
                continue
            rate = 1.0
        rate_by_cost[cost] = rate
        by_cost[cost] = base * rate
    basis = ", ".join(f"{rate:.0%} of {cost} cost" for cost, rate in rate_by_cost.items())
    binding, capital_source = "rate", ""
    amount = sum(by_cost.values())
    total = capex + development
    if borrowing is not None and terms.kind in BORROWED_KINDS and amount > borrowing[0] * total:
        amount = borrowing[0] * total
        basis += (
            f"; borrowed money at most {borrowing[0]:.0%} of the total investment (project capital)"
        )
        binding, capital_source = "capital", borrowing[1]
    if unknown:
        basis = ", ".join(filter(None, [basis, f"no confirmed ceiling for {', '.join(unknown)}"]))
    basis = basis or "none of this project's costs"
    if terms.max_share is not None and amount > terms.max_share * total:
        amount = terms.max_share * total
        basis += f"; at most {terms.max_share:.0%} of the total cost"
        binding = "share"
    ticket = terms.max_ticket
    if terms.typical_high is not None and (ticket is None or not terms.max_ticket_confirmed):
        ticket = terms.typical_high if ticket is None else min(ticket, terms.typical_high)
        if amount > ticket:
            basis += f"; at most the typical award of {_eur(ticket)}"
            amount = ticket
            binding = "typical" if ticket == terms.typical_high else "ticket"
    elif ticket is not None and amount > ticket:
        amount = ticket
        basis += f"; capped at the maximum ticket of {_eur(ticket)}"
        binding = "ticket"
    if amount < sum(by_cost.values()) and by_cost:
        factor = amount / sum(by_cost.values())
        by_cost = {cost: value * factor for cost, value in by_cost.items()}
    return Ceiling(
        amount=amount,
        by_cost=by_cost,
        rate_by_cost=rate_by_cost,
        basis=basis,
        known=bool(by_cost) or not unknown,
        binding=binding,
        capital_source=capital_source,
    )
