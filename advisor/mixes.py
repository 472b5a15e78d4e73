"""Funding mixes: amounts per instrument that add up, within every ceiling, with sequencing notes.

Each strategy (grant-led, loan-led, private-led) is one small mixed-integer programme solved with
HiGHS (scipy.optimize.milp), in shares of the project's total cost:

    maximise    sum_i,c  weight(strategy, kind_i) * x_ic
    subject to  x_ic <= rate_ic * cost_c / total * y_i     co-financing ceiling per cost type
                sum_c x_ic <= cap_i * y_i                   share-of-cost cap, maximum ticket
                sum_c x_ic >= min_ticket_i * y_i            minimum ticket (or not used at all)
                sum_i x_ic <= cost_c / total                never more than the cost itself
                x_ic <= cost_c / total * z_ic,  sum_{EU grants i} z_ic <= 1
                                                            one EU grant per cost line (A21)
                y_i + y_j <= 1                              for pairs the catalogue forbids
                sum_i y_i <= MAX_COMPONENTS

Amounts are then floored to cents, so no ceiling is breached by rounding, and the gap is what
the components leave of capex + development cost, to the cent. Order of caps as in
instrument_facts.md A19; no double funding of one cost by two EU grants as in A21.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from advisor.capital import project_capital_share
from advisor.engine import terms_of
from advisor.models import Mix, MixComponent, MoneyOut, Option, ProjectProfile
from advisor.money import Converter
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from rules.ceilings import GRANT_KINDS, ceiling

MAX_COMPONENTS = 4
CANDIDATES = 12  # a mix draws on the shortlist: the best-ranked usable options
COSTS = ("development", "investment")
REPAYABLE = {"loan", "financial_instrument", "guarantee"}
DEBT = {"loan", "bond", "financial_instrument"}
PRIVATE = {"ppp_structure", "performance_contract", "equity", "crowdfunding"}

# What each strategy funds first: weight per unit of cost by instrument kind.
STRATEGIES: dict[str, tuple[str, dict[str, float], float]] = {
    "grant_led": (
        "Grant-led",
        {**dict.fromkeys(GRANT_KINDS, 10.0), **dict.fromkeys(REPAYABLE, 4.0), "bond": 3.0},
        2.0,
    ),  # fmt: skip
    "loan_led": (
        "Loan-led",
        {**dict.fromkeys(REPAYABLE, 10.0), "bond": 8.0, **dict.fromkeys(GRANT_KINDS, 5.0)},
        2.0,
    ),  # fmt: skip
    "private_led": (
        "Private/PPP-led",
        {**dict.fromkeys(PRIVATE, 10.0), **dict.fromkeys(GRANT_KINDS, 3.0)},
        2.5,
    ),  # fmt: skip
}


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


def _usable(
    options: list[Option],
    snapshot: Snapshot,
    profile: ProjectProfile,
    money: Converter,
    base: dict[str, int],
) -> list[Usable]:
    """The short-listed options with their limits in cents: each cost line at most its rate
    times that cost, the whole at most the option's ceiling (rules/ceilings.py), which is also
    the amount the option shows."""
    currency = profile.capex.currency
    capex_eur = money.to_eur(profile.capex.amount, currency)
    dev = profile.development_cost
    dev_eur = money.to_eur(dev.amount, dev.currency) if dev else 0.0
    out = []
    for option in options:
        record = snapshot.instrument(option.instrument_id)
        if record is None or record.kind == "delivery_tool":
            continue
        cap = ceiling(
            terms_of(record, money.to_eur),
            capex=capex_eur,
            development=dev_eur,
            region=profile.region_category,
            applicant=profile.applicant,
            previous_region=profile.region_category_2014_2020,
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


def _weight(strategy: str, u: Usable) -> float:
    _, weights, other = STRATEGIES[strategy]
    return weights.get(u.record.kind, other) + 0.01 * u.option.score


def _forbidden_pairs(usable: list[Usable]) -> set[tuple[int, int]]:
    ids = {u.record.id: i for i, u in enumerate(usable)}
    pairs = {
        tuple(sorted((i, ids[other])))
        for i, u in enumerate(usable)
        for other in u.record.not_combinable_with
        if other in ids and ids[other] != i
    }  # either side of a pair may record it
    return pairs  # type: ignore[return-value]


def _solve(
    strategy: str, usable: list[Usable], base: dict[str, int], debt_cap: int | None = None
) -> dict[tuple[int, str], int]:
    """Cents per (usable index, cost type) for one strategy; empty when nothing fits.

    The linear relaxation (no component limit, minimum tickets, EU-grant exclusivity or
    forbidden pairs) is solved first; it bounds the mixed-integer optimum from above, so when
    its solution happens to respect all four it is that optimum, and the branch and bound is
    needed only otherwise.
    """
    relaxed = _solve_relaxed(strategy, usable, base, debt_cap)
    if relaxed is not None:
        return relaxed
    return _solve_exact(strategy, usable, base, debt_cap)


def _solve_relaxed(
    strategy: str, usable: list[Usable], base: dict[str, int], debt_cap: int | None
) -> dict[tuple[int, str], int] | None:
    total = float(sum(base.values()))
    pairs = [(i, c) for i, u in enumerate(usable) for c in u.upper]
    rows, bounds_hi = [], []
    for i, u in enumerate(usable):
        rows.append([1.0 if p[0] == i else 0.0 for p in pairs])
        bounds_hi.append(u.cap / total)
    for cost in COSTS:
        if any(p[1] == cost for p in pairs):
            rows.append([1.0 if p[1] == cost else 0.0 for p in pairs])
            bounds_hi.append(base[cost] / total)
    debt_pairs = [p for p in pairs if p[1] == "investment" and usable[p[0]].debt]
    if debt_cap is not None and debt_pairs:
        rows.append([1.0 if p in debt_pairs else 0.0 for p in pairs])
        bounds_hi.append(debt_cap / total)
    result = linprog(
        [-_weight(strategy, usable[i]) for i, _ in pairs],
        A_ub=np.array(rows),
        b_ub=np.array(bounds_hi),
        bounds=[(0.0, usable[i].upper[c] / total) for i, c in pairs],
        method="highs",
    )
    if result.status != 0:
        return None
    x = {p: v for p, v in zip(pairs, result.x, strict=True) if v * total >= 1}  # >= one cent
    used = {i for i, _ in x}
    if len(used) > MAX_COMPONENTS:
        return None
    for i in used:
        if sum(v for (j, _), v in x.items() if j == i) * total < usable[i].min_ticket:
            return None
    for cost in COSTS:
        if sum(1 for (i, c) in x if c == cost and usable[i].eu_grant) > 1:
            return None
    if any(a in used and b in used for a, b in _forbidden_pairs(usable)):
        return None
    index = {p: k for k, p in enumerate(x)}
    return _to_cents(np.array(list(x.values())), index, used, usable, base, debt_cap)


def _solve_exact(
    strategy: str, usable: list[Usable], base: dict[str, int], debt_cap: int | None
) -> dict[tuple[int, str], int]:
    total = float(sum(base.values()))
    pairs = [(i, c) for i, u in enumerate(usable) for c in u.upper]
    eu_pairs = [(i, c) for i, c in pairs if usable[i].eu_grant]
    n_x, n_y, n_z = len(pairs), len(usable), len(eu_pairs)
    size = n_x + n_y + n_z
    x_at = {p: k for k, p in enumerate(pairs)}
    y_at = lambda i: n_x + i  # noqa: E731
    z_at = {p: n_x + n_y + k for k, p in enumerate(eu_pairs)}

    objective = np.zeros(size)
    for (i, _), k in x_at.items():
        objective[k] = -_weight(strategy, usable[i])
    for i in range(n_y):
        objective[y_at(i)] = 1e-3  # no component without money in it

    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def row(entries: dict[int, float], lo: float, hi: float) -> None:
        r = np.zeros(size)
        for k, v in entries.items():
            r[k] = v
        rows.append(r)
        lower.append(lo)
        upper.append(hi)

    for (i, c), k in x_at.items():
        row({k: 1.0, y_at(i): -usable[i].upper[c] / total}, -np.inf, 0.0)
    for i, u in enumerate(usable):
        own = {x_at[(i, c)]: 1.0 for c in u.upper}
        row({**own, y_at(i): -u.cap / total}, -np.inf, 0.0)
        if u.min_ticket:
            row({**own, y_at(i): -u.min_ticket / total}, 0.0, np.inf)
    for cost in COSTS:
        members = {k: 1.0 for (i, c), k in x_at.items() if c == cost}
        if members:
            row(members, -np.inf, base[cost] / total)
        eu = [p for p in eu_pairs if p[1] == cost]
        if len(eu) > 1:
            for p in eu:
                row({x_at[p]: 1.0, z_at[p]: -base[cost] / total}, -np.inf, 0.0)
            row({z_at[p]: 1.0 for p in eu}, -np.inf, 1.0)
    debt = {k: 1.0 for (i, c), k in x_at.items() if c == "investment" and usable[i].debt}
    if debt_cap is not None and debt:
        row(debt, -np.inf, debt_cap / total)
    for a, b in sorted(_forbidden_pairs(usable)):
        row({y_at(a): 1.0, y_at(b): 1.0}, -np.inf, 1.0)
    row({y_at(i): 1.0 for i in range(n_y)}, -np.inf, MAX_COMPONENTS)

    integrality = np.concatenate([np.zeros(n_x), np.ones(n_y + n_z)])
    result = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=integrality,
        bounds=Bounds(np.zeros(size), np.ones(size)),
        options={"time_limit": 2.0},
    )
    if result.x is None:
        return {}
    used = {i for i in range(n_y) if result.x[y_at(i)] > 0.5}
    return _to_cents(result.x, x_at, used, usable, base, debt_cap)


def _to_cents(
    solution: np.ndarray,
    x_at: dict[tuple[int, str], int],
    used: set[int],
    usable: list[Usable],
    base: dict[str, int],
    debt_cap: int | None = None,
) -> dict[tuple[int, str], int]:
    """Floor the solution to cents, then repair what rounding could leave outside a limit."""
    total = sum(base.values())
    amounts = {p: math.floor(solution[k] * total + 1e-6) for p, k in x_at.items() if p[0] in used}
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
        debt = [p for p in amounts if p[1] == "investment" and usable[p[0]].debt]
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


SEQUENCE = (
    # (which components, what the step says): development first, then grants, private
    # finance, debt, and bonds to refinance once the asset performs
    (lambda u, c: c == "development",
     "{ids} first, for development costs (feasibility, audits, tendering)"),
    (lambda u, c: c == "investment" and u.record.kind in GRANT_KINDS,
     "{ids} for the investment; each EU grant on its own cost line, never twice on one cost"),
    (lambda u, c: c == "investment" and u.record.kind in PRIVATE,
     "tender {ids}: the private partner finances and is repaid from the project's revenue"),
    (lambda u, c: c == "investment" and u.record.kind in REPAYABLE,
     "{ids} finance the remaining investment"),
    (lambda u, c: u.record.kind == "bond",
     "{ids}: issue once the asset is built and performing, or to refinance construction loans"),
)  # fmt: skip


def _notes(
    components: list[tuple[Usable, str, int]], gap: int, currency: str, stage: str
) -> list[str]:
    notes = []
    for matches, text in SEQUENCE:
        ids = sorted({u.record.id for u, c, _ in components if matches(u, c)})
        if ids:
            notes.append(f"{len(notes) + 1}. {text.format(ids=', '.join(ids))}")
    later = sorted({(u.option.phase, u.record.id) for u, _, _ in components if u.option.later})
    for phase, ident in later:
        notes.append(f"{ident} finances the {phase} phase, after the current {stage} stage")
    if gap:
        notes.append(
            f"gap of {currency} {gap / 100:,.2f}: city budget, other sources, or a smaller phase"
        )
    return notes


FAMILIES: tuple[tuple[frozenset[str], str], ...] = (
    (GRANT_KINDS, "Grant-led"),
    (frozenset(REPAYABLE), "Loan-led"),
    (frozenset({"bond"}), "Bond-led"),
    (frozenset(PRIVATE), "Private/PPP-led"),
    (frozenset({"value_capture"}), "Value-capture-led"),
    (frozenset({"procurement"}), "Service-purchase-led"),
)


def _label(parts: list[tuple[Usable, str, int]]) -> str:
    """What carries most of the mix's money names it (never the strategy that built it)."""
    money: dict[str, int] = {}
    for u, _, v in parts:
        family = next((label for kinds, label in FAMILIES if u.record.kind in kinds), "Mixed")
        money[family] = money.get(family, 0) + v
    return max(money.items(), key=lambda item: (item[1], item[0]))[0]


def compose(
    *, options: list[Option], snapshot: Snapshot, profile: ProjectProfile, money: Converter
) -> list[Mix]:
    """Up to three distinct mixes from the short-listed options, each labelled by its content."""
    currency = profile.capex.currency
    dev = profile.development_cost
    base = {
        "investment": _cents(profile.capex.amount),
        "development": _cents(money.from_eur(money.to_eur(dev.amount, dev.currency), currency))
        if dev
        else 0,
    }
    total = sum(base.values())
    usable = _usable(options, snapshot, profile, money, base)
    capital = project_capital_share(snapshot, profile, money.on)
    debt_cap = None if capital is None else math.floor(base["investment"] * (1 - capital[0]))
    mixes: list[Mix] = []
    seen: set[frozenset[tuple[str, str, int]]] = set()
    labels: dict[str, int] = {}
    for strategy in STRATEGIES:
        cents = _solve(strategy, usable, base, debt_cap) if usable else {}
        if not cents:
            continue
        key = frozenset((usable[i].record.id, c, v) for (i, c), v in cents.items())
        if key in seen:
            continue
        seen.add(key)
        parts = sorted(
            ((usable[i], c, v) for (i, c), v in cents.items()),
            key=lambda part: (COSTS.index(part[1]), -part[2], part[0].record.id),
        )
        funded = sum(v for _, _, v in parts)
        gap = total - funded
        label = _label(parts)
        labels[label] = labels.get(label, 0) + 1
        ident = label.lower().replace("/", "_").replace("-", "_")
        if labels[label] > 1:
            ident, label = f"{ident}_{labels[label]}", f"{label} (alternative {labels[label]})"
        notes = _notes(parts, gap, currency, profile.stage)
        if capital is not None and any(u.debt for u, _, _ in parts):
            notes.append(
                f"project capital: at least {capital[0]:.0%} of the investment must be the "
                f"sponsor's own capital, so loans and bonds fund at most {1 - capital[0]:.0%} "
                f"(as recorded with {capital[1]})"
            )
        mixes.append(
            Mix(
                id=ident,
                label=label,
                components=[
                    MixComponent(
                        instrument_id=u.record.id,
                        amount=MoneyOut(amount=v / 100, currency=currency),
                        share=round(v / total, 4),
                        covers=c,
                    )
                    for u, c, v in parts
                ],
                funded=MoneyOut(amount=funded / 100, currency=currency),
                gap=MoneyOut(amount=gap / 100, currency=currency),
                notes=notes,
            )
        )
    return mixes
