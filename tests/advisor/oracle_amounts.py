"""Section 3 of docs/eligibility.md for the independent eligibility checker
(tests/advisor/eligibility_oracle.py): the reference rates in force on a date, the co-financing
rate for each cost type and the most an instrument can fund of a project, in EUR.

Like the checker, it reads catalogue records, rates and a profile only, never the engine.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from advisor.models import ProjectProfile
from catalogue.schema import CoFinancingRate, FxRate, InstrumentRecord
from catalogue.vocabulary import COUNTRY_GROUPS

# Section 3: no co-financing entry means "unknown" for these, 100% for the other kinds.
GRANT_LIKE: frozenset[str] = frozenset({"grant", "technical_assistance"})

# Section 3: the profile's cost for each cost type an instrument may cover.
COST_TYPES: tuple[str, ...] = ("investment", "development")


@dataclass(frozen=True)
class Rates:
    """The reference rates in force on one date: units of a currency per euro."""

    per_eur: dict[str, float]

    @classmethod
    def on(cls, fx_rates: Iterable[FxRate], day: date) -> "Rates":
        by_currency: dict[str, list[FxRate]] = {}
        for rate in fx_rates:
            by_currency.setdefault(rate.currency, []).append(rate)
        chosen: dict[str, float] = {"EUR": 1.0}
        for currency, rates in by_currency.items():
            rates.sort(key=lambda r: r.date)
            in_force = [r for r in rates if r.date <= day]
            chosen[currency] = (in_force[-1] if in_force else rates[0]).per_eur
        chosen["EUR"] = 1.0
        return cls(per_eur=chosen)

    def to_eur(self, amount: float, currency: str) -> float:
        if currency not in self.per_eur:
            raise ValueError(f"no reference rate for {currency}")
        return amount / self.per_eur[currency]


def _category_in(period: str | None, profile: ProjectProfile) -> str | None:
    """The region's category in the programme period a rate entry names: the profile's
    `region_category` is the one of its date's period (2014-2020 from 2014-01-01, 2021-2027
    from 2021-01-01, 2007-2013 before), `region_category_2014_2020` the 2014-2020 one."""
    on = profile.as_of
    assert on is not None
    current = "2021-2027" if on.year >= 2021 else "2014-2020" if on.year >= 2014 else "2007-2013"
    previous = getattr(profile, "region_category_2014_2020", None)
    if period == "2014-2020" and previous is not None:
        return previous
    if period is None or period == current:
        return profile.region_category
    return None


def co_financing_rate(
    entries: list[CoFinancingRate], cost: str, profile: ProjectProfile
) -> float | None:
    """Section 3: the co-financing rate for one cost type (None: no entry applies)."""
    own = [e for e in entries if e.costs == cost]
    named = [e for e in own if profile.applicant in e.applicant]
    own = named if named else [e for e in own if not e.applicant]
    if not own:
        return None
    if any(e.region_category for e in own):
        here = {id(e): _category_in(e.period, profile) for e in own if e.region_category}
        if None in here.values():  # the category in the entries' period is not given
            return min(e.rate for e in own)
        previous = getattr(profile, "region_category_2014_2020", None)
        fits = [
            e
            for e in own
            if (not e.region_category or e.region_category == here[id(e)])
            and (not e.previous_region_category or previous in e.previous_region_category)
        ]
        return max(e.rate for e in fits) if fits else None
    return min(e.rate for e in own)


@dataclass(frozen=True)
class Amount:
    conservative: float | None  # section 3; None: a covered cost has no confirmed rate
    by_cost: dict[str, float]
    confirmed_bound: float  # the most confirmed facts allow (unconfirmed caps left out)
    unknown_costs: tuple[str, ...]


# Section 3, project capital: the dated tables a lender's record may state, by the param naming
# the date each took effect (a later table replaces an earlier one).
CAPITAL_TABLES: tuple[tuple[str, str], ...] = (
    ("project_capital_2009_rule_since", "project_capital_min_share_by_sector_2009"),
    ("project_capital_2015_rule_since", "project_capital_min_share_by_sector_2015"),
    ("project_capital_2019_rule_published", "project_capital_min_share_by_sector"),
)
BORROWED: frozenset[str] = frozenset({"loan", "bond", "financial_instrument"})


def _capital_share(record: InstrumentRecord, sector: str, day: date) -> tuple[date, float]:
    """(date the table in force took effect, minimum capital share for `sector`) of one record:
    a transport project the highest rail or road entry, any other the "other..." entry, else
    the record's general share."""
    general = float(record.params["project_capital_min_share"])
    start, entries = date.min, ""
    for since_key, table_key in CAPITAL_TABLES:
        since, table = record.params.get(since_key), record.params.get(table_key)
        if since and table and date.fromisoformat(str(since)) <= day:
            start, entries = date.fromisoformat(str(since)), str(table)
    pairs = [p.split(":") for p in entries.split(",") if ":" in p]
    shares = {k.strip(): float(v) for k, v in pairs}
    if sector == "transport":
        fitting = [v for k, v in shares.items() if "rail" in k or "road" in k]
    else:
        fitting = []
    fitting = fitting or [v for k, v in shares.items() if k.startswith("other")]
    return start, max(fitting) if fitting else general


def borrowed_share(
    records: Iterable[InstrumentRecord], profile: ProjectProfile, day: date
) -> float | None:
    """Section 3: the largest share of the total investment borrowed money may fund in the
    project's country (one less the capital share of the table in force latest, the strictest
    among tables of the same date), or None where no record states a confirmed rule."""
    found = [
        _capital_share(r, profile.sector, day)
        for r in records
        if "project_capital_min_share" in r.params
        and "params.project_capital_min_share" not in r.unconfirmed
        and (profile.country in r.eligible_countries or profile.country in _grouped(r))
    ]
    return 1.0 - max(found)[1] if found else None


def _grouped(record: InstrumentRecord) -> set[str]:
    return {c for g in record.eligible_countries for c in COUNTRY_GROUPS.get(g, ())}


def amount(
    record: InstrumentRecord,
    profile: ProjectProfile,
    rates: Rates,
    borrowed: float | None = None,
) -> Amount:
    """Section 3: the most `record` can fund of this project, in EUR; `borrowed`: the share
    of the total investment (capex + development cost) a loan, bond or financial instrument
    may fund (`borrowed_share`)."""
    costs = {
        "investment": rates.to_eur(profile.capex.amount, profile.capex.currency),
        "development": (
            rates.to_eur(profile.development_cost.amount, profile.development_cost.currency)
            if profile.development_cost
            else 0.0
        ),
    }
    total = costs["investment"] + costs["development"]
    if record.kind == "delivery_tool":
        return Amount(conservative=0.0, by_cost={}, confirmed_bound=0.0, unknown_costs=())
    unconfirmed = set(record.unconfirmed)
    cofin_unconfirmed = "co_financing" in unconfirmed
    by_cost: dict[str, float] = {}
    bound_by_cost: dict[str, float] = {}
    unknown: list[str] = []
    for cost in COST_TYPES:
        if cost not in record.costs_covered or costs[cost] <= 0:
            continue
        rate = co_financing_rate(record.co_financing, cost, profile)
        if rate is None:
            if record.kind in GRANT_LIKE or cofin_unconfirmed:
                unknown.append(cost)
                bound_by_cost[cost] = costs[cost]
                continue
            rate = 1.0
        by_cost[cost] = rate * costs[cost]
        bound_by_cost[cost] = (1.0 if cofin_unconfirmed else rate) * costs[cost]
    cur = record.ticket_currency
    caps: list[float] = []
    confirmed_caps: list[float] = []
    if borrowed is not None and record.kind in BORROWED:  # a share of the total investment
        caps.append(borrowed * total)
        confirmed_caps.append(borrowed * total)
    if record.max_share_of_cost is not None:
        caps.append(record.max_share_of_cost * total)
        if "max_share_of_cost" not in unconfirmed:
            confirmed_caps.append(record.max_share_of_cost * total)
    if record.max_ticket is not None:
        caps.append(rates.to_eur(record.max_ticket, cur))
        if "max_ticket" not in unconfirmed:
            confirmed_caps.append(rates.to_eur(record.max_ticket, cur))
    high = record.typical_ticket.high if record.typical_ticket else None
    if high is not None and (record.max_ticket is None or "max_ticket" in unconfirmed):
        caps.append(rates.to_eur(high, cur))
    # section 3: only the costs with a confirmed rate count; none at all: no confirmed bound
    conservative = None if unknown and not by_cost else min([sum(by_cost.values()), *caps])
    bound = min([sum(bound_by_cost.values()), *confirmed_caps])
    return Amount(
        conservative=conservative,
        by_cost=by_cost,
        confirmed_bound=bound,
        unknown_costs=tuple(unknown),
    )


def funds_total(profile: ProjectProfile, rates: Rates) -> float:
    """`total = capex + development_cost`, in EUR."""
    total = rates.to_eur(profile.capex.amount, profile.capex.currency)
    if profile.development_cost is not None:
        dev = profile.development_cost
        total += rates.to_eur(dev.amount, dev.currency)
    return total


def rates_on(fx_rates: Iterable[FxRate], day: date) -> Mapping[str, float]:
    """Units per euro of every currency on `day` (for tests that convert amounts)."""
    return Rates.on(fx_rates, day).per_eur
