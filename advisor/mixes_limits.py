"""What each short-listed option may put into a mix, in cents, and the repair to the cent.

A mix works in whole cents of the project's currency: stated amounts are rounded to the cent,
computed limits are rounded down (so honouring one never breaches it), and the solver's shares
are floored to cents and then repaired against every limit (`_to_cents`). Order of caps as in
instrument_facts.md A19; no double funding of one cost by two EU grants as in A21.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from advisor.advice_options import terms_for
from advisor.models import Option, ProjectProfile
from advisor.money import Converter
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import BORROWED_KINDS, GRANT_KINDS, ceiling, region_period

CANDIDATES = 12  # a mix draws on the shortlist: the best-ranked usable options
COSTS = ("development", "investment")
DEBT = BORROWED_KINDS  # loans and bonds: within the project-capital rule together


@dataclass(frozen=True)
class Usable:
    """One eligible instrument's limits for this project, in cents of the project currency."""

    option: Option
    record: InstrumentRecord
    upper: dict[str, int]  # per cost type
    cap: int
    min_ticket: int
    eu_grant: bool
    debt: bool = False  # borrowed money: never project capital (China, Guofa [2019] 26)


def _cents(amount: float) -> int:
    """A stated amount in cents (2571438595.74 is 257143859574 cents, whatever float says)."""
    return round(amount * 100)


def _cents_at_most(amount: float) -> int:
    """A computed limit in cents, rounded down so that honouring it never breaches it."""
    return math.floor(amount * 100 + 1e-6)


def _whole_cents(cents: float) -> int:
    """A solved amount in whole cents: rounded down, unless float error alone keeps it below a
    whole cent (within 1e-6 cents, or 1e-12 of the amount: a share of 0.2 times 9e10 cents is
    17999999999.999996, and is 18000000000). The limits are enforced after this."""
    near = round(cents)
    if abs(cents - near) <= max(1e-6, abs(cents) * 1e-12):
        return near
    return math.floor(cents)


def _usable(
    options: list[Option],
    snapshot: Snapshot,
    profile: ProjectProfile,
    money: Converter,
    base: dict[str, int],
) -> list[Usable]:
    """The short-listed options with their limits in cents: each cost line at most its rate
    times that cost, the whole at most the option's ceiling (rules/ceilings.py), which is also
    the amount the option shows.

    Taken in rank order (then instrument id), whatever order the options come in, so that the
    same short list always gives the same candidates in the same order (advisor/mixes_lp.py
    breaks ties by that order)."""
    currency = profile.capex.currency
    capex_eur = money.to_eur(profile.capex.amount, currency)
    dev = profile.development_cost
    dev_eur = money.to_eur(dev.amount, dev.currency) if dev else 0.0
    out = []
    for option in sorted(options, key=lambda o: (o.rank, o.instrument_id)):
        record = snapshot.instrument(option.instrument_id)
        if record is None or record.kind == "delivery_tool":
            continue
        cap = ceiling(
            terms_for(snapshot, money, record),
            capex=capex_eur,
            development=dev_eur,
            region=profile.region_category,
            applicant=profile.applicant,
            previous_region=profile.region_category_2014_2020,
            period=region_period(profile.as_of),
        )
        upper = {
            cost: math.floor(base[cost] * rate)
            for cost, rate in cap.rate_by_cost.items()
            if base.get(cost, 0) > 0
        }
        if not upper or not cap.known:
            continue
        limit = min(sum(upper.values()), _cents_at_most(money.from_eur(cap.amount, currency)))

        def convert(amount: float | None, unit: str = record.ticket_currency) -> int | None:
            if amount is None:
                return None
            return _cents_at_most(money.from_eur(money.to_eur(amount, unit), currency))

        min_ticket = convert(record.min_ticket) or 0
        if min_ticket and min_ticket > limit:
            continue
        eu_grant = record.eu_funds and record.kind in GRANT_KINDS
        debt = record.kind in DEBT
        out.append(Usable(option, record, upper, limit, min_ticket, eu_grant, debt))
        if len(out) == CANDIDATES:
            break
    return out


def _to_cents(
    solution: Sequence[float],
    x_at: dict[tuple[int, str], int],
    used: set[int],
    usable: list[Usable],
    base: dict[str, int],
    debt_cap: int | None = None,
) -> dict[tuple[int, str], int]:
    """Floor the solution to cents, then repair what rounding could leave outside a limit."""
    total = sum(base.values())
    amounts = {p: _whole_cents(solution[k] * total) for p, k in x_at.items() if p[0] in used}
    amounts = {p: min(v, usable[p[0]].upper[p[1]]) for p, v in amounts.items() if v > 0}
    for cost in COSTS:  # exactly one EU grant per cost line, whatever the solver's tolerance
        eu = sorted((p for p in amounts if p[1] == cost and usable[p[0]].eu_grant),
                    key=lambda p: -amounts[p])  # fmt: skip
        for p in eu[1:]:
            del amounts[p]
    for i, u in enumerate(usable):
        own = [p for p in amounts if p[0] == i]
        excess = sum(amounts[p] for p in own) - u.cap
        for p in sorted(own, key=lambda p: -amounts[p]):
            if excess <= 0:
                break
            cut = min(excess, amounts[p])
            amounts[p] -= cut
            excess -= cut
        if own and 0 < sum(amounts[p] for p in own) < u.min_ticket:
            for p in own:
                amounts[p] = 0
    for cost in COSTS:
        excess = sum(v for (i, c), v in amounts.items() if c == cost) - base[cost]
        for p in sorted((p for p in amounts if p[1] == cost), key=lambda p: amounts[p]):
            if excess <= 0:
                break
            cut = min(excess, amounts[p])
            amounts[p] -= cut
            excess -= cut
    if debt_cap is not None:  # project capital: borrowed money at most the cap, to the cent
        debt = [p for p in amounts if usable[p[0]].debt]
        excess = sum(amounts[p] for p in debt) - debt_cap
        for p in sorted(debt, key=lambda p: amounts[p]):
            if excess <= 0:
                break
            cut = min(excess, amounts[p])
            amounts[p] -= cut
            excess -= cut
            if 0 < amounts[p] < usable[p[0]].min_ticket:
                amounts[p] = 0
    return {p: v for p, v in amounts.items() if v > 0}
